using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace PfnStudio.Tokens.PersonalAccessTokens.Verification;

/// <summary>
/// Limits refused tokens and verifications that did not succeed, per client address: an address gets at most
/// <see cref="HotPathOptions.ClientFailureLimit"/> per <see cref="HotPathOptions.ClientFailureWindowSeconds"/>. A
/// refusal and an Argon2 run that fails or finds no free slot count one (<see cref="CountFailure"/>); an Argon2 run
/// whose result is the only check (a row without SHA-256) reserves its attempt before it runs
/// (<see cref="TryBeginAttempt"/>) and a success gives it back, so wrong secrets sent from one address, however many
/// at once, cost at most that many Argon2 runs per window; further
/// tokens from that address that are not already verified in this process get 429 until the window ends. Tokens
/// already verified keep working, and callers from other addresses are not affected. Keyed by address, not by
/// prefix: prefixes are public, and a per-prefix limit would let anyone who knows one lock its owner out. At most
/// <see cref="HotPathOptions.FailedVerificationCapacity"/> addresses are tracked; beyond that, attempts are not
/// counted (Argon2 stays bounded by its slots).
/// </summary>
internal sealed class ClientFailureLimiter
{
    private readonly ConcurrentDictionary<string, ClientWindow> _clients = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly int _clientLimit;
    private readonly long _windowTicks;
    private readonly Lock _sweepLock = new();

    public ClientFailureLimiter(IOptions<HotPathOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _time = time;
        _capacity = o.FailedVerificationCapacity;
        _clientLimit = o.ClientFailureLimit;
        _windowTicks = TimeSpan.FromSeconds(o.ClientFailureWindowSeconds).Ticks;
    }

    /// <summary>
    /// Whether tokens from <paramref name="client"/> that are not already verified are refused for now (a cheap
    /// check before the store is read; <see cref="TryBeginAttempt"/> decides).
    /// </summary>
    /// <param name="client">The caller's address.</param>
    /// <param name="retryAfter">When throttled, the time left in the address's window (at least one second).</param>
    public bool IsClientThrottled(string client, out TimeSpan retryAfter)
    {
        client = KeyOf(client);
        retryAfter = TimeSpan.Zero;
        if (!_clients.TryGetValue(client, out var window))
        {
            return false;
        }

        var now = _time.GetUtcNow().UtcTicks;
        lock (window)
        {
            return IsThrottled(window, now, out retryAfter);
        }
    }

    /// <summary>
    /// Reserves one Argon2 attempt for <paramref name="client"/> in its current window, unless the window's
    /// attempts are used up. Call <see cref="EndAttempt"/> when the verification is decided.
    /// </summary>
    /// <param name="client">The address of the caller whose token is about to be verified.</param>
    /// <param name="retryAfter">When refused, the time left in the address's window.</param>
    /// <returns><see langword="false"/> when the address is throttled.</returns>
    public bool TryBeginAttempt(string client, out TimeSpan retryAfter)
    {
        client = KeyOf(client);
        retryAfter = TimeSpan.Zero;
        var now = _time.GetUtcNow().UtcTicks;
        if (!_clients.TryGetValue(client, out var window))
        {
            if (_clients.Count >= _capacity)
            {
                Sweep(now);
                if (_clients.Count >= _capacity)
                {
                    // Full: not counted. Argon2 stays bounded by its slots, and the table by its capacity.
                    return true;
                }
            }

            window = _clients.GetOrAdd(client, _ => new ClientWindow { StartTicks = now });
        }

        lock (window)
        {
            if (IsThrottled(window, now, out retryAfter))
            {
                return false;
            }

            if (now - window.StartTicks >= _windowTicks)
            {
                window.StartTicks = now;
                window.Attempts = 0;
            }

            window.Attempts++;
            return true;
        }
    }

    /// <summary>
    /// Ends an attempt begun with <see cref="TryBeginAttempt"/>: one that <paramref name="failed"/> (a wrong secret)
    /// stays counted; any other (a success, no Argon2 slot free) is given back to the window.
    /// </summary>
    public void EndAttempt(string client, bool failed)
    {
        client = KeyOf(client);
        if (!failed && _clients.TryGetValue(client, out var window))
        {
            lock (window)
            {
                window.Attempts = Math.Max(0, window.Attempts - 1);
            }
        }
    }

    /// <summary>
    /// Counts one failure for <paramref name="client"/> that no <see cref="TryBeginAttempt"/> reserved (a refusal
    /// decided without Argon2, or an Argon2 run that could not start); nothing when the address is throttled already.
    /// An attempt begun stays counted unless <see cref="EndAttempt"/> gives a successful one back, so this begins one.
    /// </summary>
    public void CountFailure(string client) => _ = TryBeginAttempt(client, out _);

    private bool IsThrottled(ClientWindow window, long now, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        var left = window.StartTicks + _windowTicks - now;
        if (left <= 0 || window.Attempts < _clientLimit)
        {
            return false;
        }

        retryAfter = TimeSpan.FromTicks(Math.Max(left, TimeSpan.TicksPerSecond));
        return true;
    }

    private void Sweep(long now)
    {
        if (!_sweepLock.TryEnter())
        {
            return;
        }

        try
        {
            foreach (var pair in _clients)
            {
                if (now - pair.Value.StartTicks >= _windowTicks)
                {
                    _clients.TryRemove(pair);
                }
            }
        }
        finally
        {
            _sweepLock.Exit();
        }
    }

    /// <summary>
    /// The limit's key for an address: an IPv4-mapped IPv6 address counts as its IPv4 address, and an IPv6
    /// address counts as its /64, since one host or one customer is routinely given a whole /64 and could
    /// otherwise walk through 2^64 fresh addresses. Anything that is not an address counts as itself.
    /// </summary>
    internal static string KeyOf(string client)
    {
        if (!System.Net.IPAddress.TryParse(client, out var address))
        {
            return client;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return client;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new System.Net.IPAddress(bytes).ToString() + "/64";
    }

    private sealed class ClientWindow
    {
        public long StartTicks;
        public int Attempts;
    }
}
