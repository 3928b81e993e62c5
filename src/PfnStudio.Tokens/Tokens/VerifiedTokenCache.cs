using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;

namespace PfnStudio.Tokens.Tokens;

/// <summary>
/// Remembers, per process, which presented tokens already passed Argon2 verification against which stored
/// hash, so Argon2 runs once per token per process rather than once per request. Keyed by SHA-256 of the
/// presented token (never the token itself); bounded in entries. It only ever skips the hash check:
/// revocation and expiry are still read from the store on every request, so a revoke anywhere is seen on
/// the next request.
/// </summary>
public sealed class VerifiedTokenCache : IDisposable
{
    /// <summary>Most entries kept; older ones are compacted away.</summary>
    public const int MaxEntries = 50_000;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = MaxEntries, CompactionPercentage = 0.25 });

    /// <summary>Whether <paramref name="token"/> was verified before against exactly <paramref name="storedHash"/>.</summary>
    public bool IsVerified(string token, string storedHash) =>
        _cache.TryGetValue(Key(token), out string? hash)
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(hash!), Encoding.ASCII.GetBytes(storedHash));

    /// <summary>Records a successful verification of <paramref name="token"/> against <paramref name="storedHash"/>.</summary>
    public void MarkVerified(string token, string storedHash) =>
        _cache.Set(Key(token), storedHash, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromHours(1) });

    /// <summary>Forgets <paramref name="token"/> (called when it is found revoked or expired).</summary>
    public void Evict(string token) => _cache.Remove(Key(token));

    /// <inheritdoc />
    public void Dispose() => _cache.Dispose();

    private static string Key(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
