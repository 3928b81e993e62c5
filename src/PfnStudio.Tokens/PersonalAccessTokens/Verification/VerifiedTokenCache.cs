using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace PfnStudio.Tokens.PersonalAccessTokens.Verification;

/// <summary>
/// Remembers, per process, which presented tokens already passed Argon2 verification against which stored
/// row and hash, so Argon2 runs once per token per process rather than once per request. Keyed by
/// <see cref="TokenDigest"/> (never the token itself); bounded by <see cref="HotPathOptions.VerifiedTokenCapacity"/>;
/// an entry not presented for <see cref="HotPathOptions.VerifiedTokenIdleMinutes"/> is dropped. It only ever
/// skips the hash check: revocation and expiry are still read from the store on every request, so a revoke in
/// any process is seen on the next request. A revoke in this process also evicts at once
/// (<see cref="EvictToken"/>), and so does a request that finds the row revoked or expired.
/// </summary>
internal sealed class VerifiedTokenCache
{
    private readonly ConcurrentDictionary<TokenDigest, Entry> _entries = new();
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly long _idleTicks;
    private readonly Lock _trimLock = new();

    /// <summary>Creates an empty cache sized by <paramref name="options"/>; idle time is read from <paramref name="time"/>.</summary>
    public VerifiedTokenCache(IOptions<HotPathOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _capacity = options.Value.VerifiedTokenCapacity;
        _idleTicks = TimeSpan.FromMinutes(options.Value.VerifiedTokenIdleMinutes).Ticks;
    }

    /// <summary>Number of tokens remembered now.</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// Gets what the token with <paramref name="digest"/> was verified against, and refreshes its idle time.
    /// The caller still compares <see cref="VerifiedToken.StoredHash"/> and the row id with the store's row.
    /// </summary>
    public bool TryGet(TokenDigest digest, [NotNullWhen(true)] out VerifiedToken? verified)
    {
        verified = null;
        if (!_entries.TryGetValue(digest, out var entry))
        {
            return false;
        }

        var now = _time.GetUtcNow().UtcTicks;
        if (IsIdle(entry, now))
        {
            _entries.TryRemove(new KeyValuePair<TokenDigest, Entry>(digest, entry));
            return false;
        }

        // Refreshed at most once a second, so concurrent requests with one token do not all write one field.
        if (now - Volatile.Read(ref entry.LastSeenTicks) >= TimeSpan.TicksPerSecond)
        {
            Volatile.Write(ref entry.LastSeenTicks, now);
        }

        verified = entry.Verified;
        return true;
    }

    /// <summary>
    /// Records a successful verification of the token with <paramref name="digest"/> against the row
    /// <paramref name="token"/> and its <paramref name="storedHash"/>.
    /// </summary>
    public void MarkVerified(TokenDigest digest, AuthenticatedToken token, string storedHash)
    {
        if (_entries.Count >= _capacity)
        {
            Trim();
        }

        _entries[digest] = new Entry(new VerifiedToken(token, storedHash), _time.GetUtcNow().UtcTicks);
    }

    /// <summary>Forgets the token with <paramref name="digest"/> (found revoked or expired).</summary>
    public void Evict(TokenDigest digest) => _entries.TryRemove(digest, out _);

    /// <summary>
    /// Forgets every presented token verified against the row <paramref name="tokenId"/>; called by an
    /// in-process revoke. A scan (revokes are rare, the cache is bounded).
    /// </summary>
    /// <returns>How many entries were removed.</returns>
    public int EvictToken(Guid tokenId)
    {
        var removed = 0;
        foreach (var pair in _entries)
        {
            if (pair.Value.Verified.Token.Id == tokenId && _entries.TryRemove(pair))
            {
                removed++;
            }
        }

        return removed;
    }

    private bool IsIdle(Entry entry, long now) => now - Volatile.Read(ref entry.LastSeenTicks) > _idleTicks;

    private void Trim()
    {
        // One thread trims while others keep serving; the bound may be passed briefly by concurrent adds.
        if (!_trimLock.TryEnter())
        {
            return;
        }

        try
        {
            var now = _time.GetUtcNow().UtcTicks;
            foreach (var pair in _entries)
            {
                if (IsIdle(pair.Value, now))
                {
                    _entries.TryRemove(pair);
                }
            }

            // Still full: drop the least recently presented quarter.
            var excess = _entries.Count - (_capacity * 3 / 4);
            if (excess > 0)
            {
                foreach (var pair in _entries.OrderBy(p => Volatile.Read(ref p.Value.LastSeenTicks)).Take(excess).ToList())
                {
                    _entries.TryRemove(pair);
                }
            }
        }
        finally
        {
            _trimLock.Exit();
        }
    }

    private sealed class Entry(VerifiedToken verified, long lastSeenTicks)
    {
        public readonly VerifiedToken Verified = verified;
        public long LastSeenTicks = lastSeenTicks;
    }
}

/// <summary>A presented token's successful verification, as <see cref="VerifiedTokenCache"/> remembers it.</summary>
/// <param name="Token">The row and owner it authenticated as (never the plaintext).</param>
/// <param name="StoredHash">The stored PHC string it was verified against; a different stored hash means verify again.</param>
internal sealed record VerifiedToken(AuthenticatedToken Token, string StoredHash);
