using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace PfnStudio.Tokens.PersonalAccessTokens.Verification;

/// <summary>
/// SHA-256 of a presented token: the key of the hot path's in-memory memos, so they never hold a token.
/// SHA-256 suffices here (not Argon2): a token carries 119 secret bits, far beyond guessing from a digest.
/// </summary>
/// <param name="High">The digest's first 16 bytes, big-endian.</param>
/// <param name="Low">The digest's last 16 bytes, big-endian.</param>
internal readonly record struct TokenDigest(UInt128 High, UInt128 Low)
{
    /// <summary>Computes the digest of <paramref name="token"/>'s UTF-8 bytes.</summary>
    public static TokenDigest Of(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var maxBytes = Encoding.UTF8.GetMaxByteCount(token.Length);
        if (maxBytes <= 256)
        {
            Span<byte> utf8 = stackalloc byte[maxBytes];
            var length = Encoding.UTF8.GetBytes(token, utf8);
            SHA256.HashData(utf8[..length], hash);
        }
        else
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(token), hash);
        }

        return new TokenDigest(BinaryPrimitives.ReadUInt128BigEndian(hash), BinaryPrimitives.ReadUInt128BigEndian(hash[16..]));
    }
}
