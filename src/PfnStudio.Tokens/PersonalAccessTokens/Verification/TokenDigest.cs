using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace PfnStudio.Tokens.PersonalAccessTokens.Verification;

/// <summary>
/// SHA-256 of a presented token: the key of the hot path's in-memory memos, so they never hold a token, and the
/// fast check against the row's stored <c>SecretSha256</c>. SHA-256 suffices here (not Argon2): a token carries
/// 119 secret bits, far beyond guessing from a digest.
/// </summary>
/// <param name="High">The digest's first 16 bytes, big-endian.</param>
/// <param name="Low">The digest's last 16 bytes, big-endian.</param>
internal readonly record struct TokenDigest(UInt128 High, UInt128 Low)
{
    // One SHA-256 context per thread, reset after each use: the one-shot SHA256.HashData sets up and frees an
    // OpenSSL context per call, a third of a digest's cost on the hot path.
    [ThreadStatic]
    private static IncrementalHash? _sha256;

    /// <summary>Computes the digest of <paramref name="token"/>'s UTF-8 bytes.</summary>
    public static TokenDigest Of(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var sha256 = _sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        // A token's UTF-8 fits the stack buffer; longer text (never a well-formed token) is hashed from the heap.
        Span<byte> utf8 = stackalloc byte[256];
        if (Encoding.UTF8.TryGetBytes(token, utf8, out var length))
        {
            sha256.AppendData(utf8[..length]);
        }
        else
        {
            sha256.AppendData(Encoding.UTF8.GetBytes(token));
        }

        sha256.GetHashAndReset(hash);
        return new TokenDigest(BinaryPrimitives.ReadUInt128BigEndian(hash), BinaryPrimitives.ReadUInt128BigEndian(hash[16..]));
    }

    /// <summary>The digest as <c>PersonalAccessToken.SecretSha256</c> stores it: 64 lower-case hex characters.</summary>
    public string ToHex()
    {
        Span<byte> bytes = stackalloc byte[SHA256.HashSizeInBytes];
        Write(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>
    /// Whether <paramref name="storedHex"/> (a <c>SecretSha256</c>) is this digest, compared in fixed time
    /// (<see cref="CryptographicOperations.FixedTimeEquals"/>); anything that is not 64 hex characters is not.
    /// </summary>
    public bool Matches(string storedHex)
    {
        ArgumentNullException.ThrowIfNull(storedHex);
        Span<byte> stored = stackalloc byte[SHA256.HashSizeInBytes];
        if (storedHex.Length != 2 * SHA256.HashSizeInBytes
            || Convert.FromHexString(storedHex, stored, out _, out _) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        Span<byte> mine = stackalloc byte[SHA256.HashSizeInBytes];
        Write(mine);
        return CryptographicOperations.FixedTimeEquals(stored, mine);
    }

    private void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt128BigEndian(destination, High);
        BinaryPrimitives.WriteUInt128BigEndian(destination[16..], Low);
    }
}
