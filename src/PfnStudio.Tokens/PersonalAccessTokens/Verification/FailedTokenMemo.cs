using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace PfnStudio.Tokens.PersonalAccessTokens.Verification;

/// <summary>
/// Remembers, in bounded memory, tokens whose Argon2 verification failed: the same wrong token presented again
/// within <see cref="HotPathOptions.FailedVerificationSeconds"/> is refused without a store read or an Argon2 run.
/// Keyed by <see cref="TokenDigest"/>, never the token. When <see cref="HotPathOptions.FailedVerificationCapacity"/>
/// entries are live, new failures are not remembered (they then cost an Argon2 run, still bounded by
/// <see cref="Argon2Options.MaxConcurrentHashes"/>).
/// </summary>
internal sealed class FailedTokenMemo
{
    private readonly ConcurrentDictionary<TokenDigest, long> _failedUntil = new();
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly long _failureTicks;
    private readonly Lock _sweepLock = new();

    public FailedTokenMemo(IOptions<HotPathOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _capacity = options.Value.FailedVerificationCapacity;
        _failureTicks = TimeSpan.FromSeconds(options.Value.FailedVerificationSeconds).Ticks;
    }

    /// <summary>Whether the token with <paramref name="digest"/> failed verification within the memo's lifetime.</summary>
    public bool IsKnownFailure(TokenDigest digest) =>
        _failedUntil.TryGetValue(digest, out var until) && _time.GetUtcNow().UtcTicks < until;

    /// <summary>Records that the token with <paramref name="digest"/> failed verification.</summary>
    public void RecordFailure(TokenDigest digest)
    {
        var now = _time.GetUtcNow().UtcTicks;
        if (_failedUntil.Count >= _capacity)
        {
            Sweep(now);
        }

        if (_failedUntil.Count < _capacity)
        {
            _failedUntil[digest] = now + _failureTicks;
        }
    }

    private void Sweep(long now)
    {
        // One sweeper at a time; the others go on (the entry is then simply not remembered).
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
        }
        finally
        {
            _sweepLock.Exit();
        }
    }
}
