using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace PfnStudio.Tokens.Tokens;

/// <summary>
/// Remembers failed Argon2 verifications briefly, in bounded memory, so a flood of wrong tokens costs little:
/// <list type="bullet">
/// <item>the same wrong token presented again within <see cref="HotPathOptions.FailedVerificationSeconds"/> is
/// refused without a store read or an Argon2 run (keyed by <see cref="TokenDigest"/>, never the token);</item>
/// <item>a prefix with <see cref="HotPathOptions.PrefixFailureLimit"/> failures within
/// <see cref="HotPathOptions.PrefixFailureWindowSeconds"/> is throttled: tokens of that prefix that are not
/// already verified in this process get 429 until the window ends, so wrong secrets sprayed at one known
/// prefix cannot keep the Argon2 slots busy. Its owner's already verified token keeps working.</item>
/// </list>
/// Time comes from <see cref="TimeProvider"/>. When full, new failures are not remembered (they then cost an
/// Argon2 run, still bounded by <see cref="Argon2Options.MaxConcurrentHashes"/>).
/// </summary>
public sealed class FailedVerificationMemo
{
    private readonly ConcurrentDictionary<TokenDigest, long> _failedUntil = new();
    private readonly ConcurrentDictionary<string, PrefixWindow> _prefixes = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly long _failureTicks;
    private readonly int _prefixLimit;
    private readonly long _windowTicks;
    private readonly Lock _sweepLock = new();

    /// <summary>Creates an empty memo from validated options.</summary>
    public FailedVerificationMemo(IOptions<HotPathOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _time = time;
        _capacity = o.FailedVerificationCapacity;
        _failureTicks = TimeSpan.FromSeconds(o.FailedVerificationSeconds).Ticks;
        _prefixLimit = o.PrefixFailureLimit;
        _windowTicks = TimeSpan.FromSeconds(o.PrefixFailureWindowSeconds).Ticks;
    }

    /// <summary>Whether the token with <paramref name="digest"/> failed verification within the memo's lifetime.</summary>
    public bool IsKnownFailure(TokenDigest digest) =>
        _failedUntil.TryGetValue(digest, out var until) && _time.GetUtcNow().UtcTicks < until;

    /// <summary>
    /// Whether tokens of <paramref name="prefix"/> that are not already verified are refused for now.
    /// </summary>
    /// <param name="prefix">The presented token's prefix.</param>
    /// <param name="retryAfter">When throttled, the time left in the prefix's window (at least one second).</param>
    public bool IsPrefixThrottled(string prefix, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!_prefixes.TryGetValue(prefix, out var window))
        {
            return false;
        }

        var now = _time.GetUtcNow().UtcTicks;
        lock (window)
        {
            var left = window.StartTicks + _windowTicks - now;
            if (left <= 0 || window.Failures < _prefixLimit)
            {
                return false;
            }

            retryAfter = TimeSpan.FromTicks(Math.Max(left, TimeSpan.TicksPerSecond));
            return true;
        }
    }

    /// <summary>Records that the token with <paramref name="digest"/> and <paramref name="prefix"/> failed verification.</summary>
    /// <returns>Whether this failure is the one that made the prefix throttled (for a single log line).</returns>
    public bool RecordFailure(TokenDigest digest, string prefix)
    {
        var now = _time.GetUtcNow().UtcTicks;
        if (_failedUntil.Count >= _capacity || _prefixes.Count >= _capacity)
        {
            Sweep(now);
        }

        if (_failedUntil.Count < _capacity)
        {
            _failedUntil[digest] = now + _failureTicks;
        }

        if (!_prefixes.TryGetValue(prefix, out var window))
        {
            if (_prefixes.Count >= _capacity)
            {
                return false;
            }

            window = _prefixes.GetOrAdd(prefix, _ => new PrefixWindow { StartTicks = now });
        }

        lock (window)
        {
            if (now - window.StartTicks >= _windowTicks)
            {
                window.StartTicks = now;
                window.Failures = 0;
            }

            window.Failures++;
            return window.Failures == _prefixLimit;
        }
    }

    private void Sweep(long now)
    {
        if (!_sweepLock.TryEnter())
        {
            return;
        }

        try
        {
            foreach (var pair in _failedUntil)
            {
                if (pair.Value <= now)
                {
                    _failedUntil.TryRemove(pair);
                }
            }

            foreach (var pair in _prefixes)
            {
                if (now - pair.Value.StartTicks >= _windowTicks)
                {
                    _prefixes.TryRemove(pair);
                }
            }
        }
        finally
        {
            _sweepLock.Exit();
        }
    }

    private sealed class PrefixWindow
    {
        public long StartTicks;
        public int Failures;
    }
}
