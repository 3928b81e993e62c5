using System.Security.Cryptography;

namespace PfnStudio.Tokens.PersonalAccessTokens;

/// <summary>
/// The text form of a personal access token, in two shapes that are both accepted everywhere:
/// <list type="bullet">
/// <item><b>Current</b> (52 characters, <see cref="Pattern"/>): <c>pfnstudio_pat_</c>, 32 random base62 characters
/// (<c>[0-9A-Za-z]</c>, from <see cref="RandomNumberGenerator"/>), then a 6-character <em>checksum</em>: the CRC-32
/// (IEEE 802.3, as zlib computes it) of the ASCII bytes of the marker and the 32 random characters, written as a
/// base62 number in this alphabet, most significant digit first, left-padded with <c>0</c> (as GitHub's tokens
/// end). The checksum lets a secret scanner, and this service before any store read, tell a real token from a
/// typo or random text offline; it adds no secrecy.</item>
/// <item><b>Legacy</b> (46 characters, <see cref="LegacyPattern"/>): the marker and 32 random characters, no
/// checksum; every token issued before the checksum existed.</item>
/// </list>
/// In both, the first 12 random characters are the token's public <em>prefix</em> (its lookup key, shown to project
/// members); the other 20 random characters are the secret: 20 × log2(62) ≈ 119.1 bits.
/// </summary>
internal static class PersonalAccessTokenFormat
{
    /// <summary>The fixed marker every token starts with, so secret scanners and people can recognise one.</summary>
    public const string Marker = "pfnstudio_pat_";

    /// <summary>Number of random base62 characters after <see cref="Marker"/> (both shapes).</summary>
    public const int RandomLength = 32;

    /// <summary>Number of leading random characters that form the public prefix.</summary>
    public const int PrefixLength = 12;

    /// <summary>Number of secret characters after the prefix: 20, about 119.1 bits.</summary>
    public const int SecretLength = RandomLength - PrefixLength;

    /// <summary>Number of base62 checksum characters at the end of a current token (62^6 &gt; 2^32 holds any CRC-32).</summary>
    public const int ChecksumLength = 6;

    /// <summary>Length of a current token (with checksum) in characters: 52.</summary>
    public const int TokenLength = 52;

    /// <summary>Length of a legacy token (no checksum) in characters: 46.</summary>
    public const int LegacyTokenLength = 46;

    /// <summary>The base62 alphabet the random part and the checksum are written in, digit values 0–61 in this order.</summary>
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>
    /// The published regular expression of a current token in text (README, docs/secret-scanning): .NET and RE2 (Go,
    /// gitleaks) read it the same way. A match still needs its checksum verified (<see cref="HasValidChecksum"/>).
    /// </summary>
    public const string Pattern = @"pfnstudio_pat_[0-9A-Za-z]{38}\b";

    /// <summary>The published regular expression of a legacy token (no checksum) in text.</summary>
    public const string LegacyPattern = @"pfnstudio_pat_[0-9A-Za-z]{32}\b";

    private static readonly uint[] Crc32Table = BuildCrc32Table();

    /// <summary>
    /// Draws a new (current-shape) token from the operating system's cryptographic random number generator. Each
    /// random character is chosen uniformly (no modulo bias); the checksum follows.
    /// </summary>
    /// <returns>A 52-character token such as <c>pfnstudio_pat_AbC123xYz789…</c>.</returns>
    public static string Generate() => WithChecksum(Marker + RandomNumberGenerator.GetString(Alphabet, RandomLength));

    /// <summary>
    /// <paramref name="markerAndRandom"/> (the marker and 32 base62 characters, e.g. a legacy token) with its checksum
    /// appended: a current-shape token. For tools and tests that build tokens from known parts.
    /// </summary>
    /// <exception cref="ArgumentException">Not the marker and 32 base62 characters.</exception>
    public static string WithChecksum(string markerAndRandom)
    {
        ArgumentNullException.ThrowIfNull(markerAndRandom);
        if (markerAndRandom.Length != LegacyTokenLength || !HasShape(markerAndRandom))
        {
            throw new ArgumentException("Expected the marker and 32 base62 characters.", nameof(markerAndRandom));
        }

        return string.Create(TokenLength, markerAndRandom, static (span, head) =>
        {
            head.AsSpan().CopyTo(span);
            WriteChecksum(head, span[head.Length..]);
        });
    }

    /// <summary>
    /// Checks that <paramref name="token"/> is a well-formed token — a current one (marker, length, alphabet and a
    /// matching checksum) or a legacy one (marker, 46 characters, alphabet) — and, if so, returns its prefix. Never
    /// throws and never touches a store, so callers refuse typos and garbage cheaply.
    /// </summary>
    /// <param name="token">The presented token, exactly as received (no trimming is done here).</param>
    /// <param name="prefix">The 12-character prefix when the result is <see langword="true"/>; otherwise empty.</param>
    /// <returns><see langword="true"/> when the token has the exact shape of a personal access token.</returns>
    public static bool TryGetPrefix(ReadOnlySpan<char> token, out string prefix)
    {
        prefix = string.Empty;
        if (!IsWellFormed(token))
        {
            return false;
        }

        prefix = token.Slice(Marker.Length, PrefixLength).ToString();
        return true;
    }

    /// <summary>Whether <paramref name="token"/> is a current token with a matching checksum, or a legacy token.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> token) =>
        token.Length == LegacyTokenLength ? HasShape(token) : HasValidChecksum(token);

    /// <summary>
    /// Whether <paramref name="token"/> is a current-shape token (52 characters, marker, base62) whose last 6
    /// characters are the checksum of the rest. A legacy token has none and is not.
    /// </summary>
    public static bool HasValidChecksum(ReadOnlySpan<char> token)
    {
        if (token.Length != TokenLength || !HasShape(token))
        {
            return false;
        }

        Span<char> expected = stackalloc char[ChecksumLength];
        WriteChecksum(token[..^ChecksumLength], expected);
        return token[^ChecksumLength..].SequenceEqual(expected);
    }

    /// <summary>
    /// The CRC-32 (IEEE 802.3 polynomial, reflected, initial and final XOR 0xFFFFFFFF: zlib's <c>crc32</c>) of
    /// <paramref name="ascii"/>'s characters taken as bytes; only ASCII text is ever checksummed.
    /// </summary>
    public static uint Crc32(ReadOnlySpan<char> ascii)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var c in ascii)
        {
            crc = Crc32Table[(crc ^ (byte)c) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    /// <summary>How a token is shown once its plaintext is gone: the marker, the prefix and an ellipsis.</summary>
    /// <param name="prefix">The token's 12-character prefix.</param>
    public static string Display(string prefix) => Marker + prefix + "…";

    // The marker, then only base62 characters (the length, 46 or 52, is checked by the caller).
    private static bool HasShape(ReadOnlySpan<char> token)
    {
        if (!token.StartsWith(Marker, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in token[Marker.Length..])
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static void WriteChecksum(ReadOnlySpan<char> markerAndRandom, Span<char> destination)
    {
        var value = Crc32(markerAndRandom);
        for (var i = ChecksumLength - 1; i >= 0; i--)
        {
            destination[i] = Alphabet[(int)(value % 62)];
            value /= 62;
        }
    }

    private static uint[] BuildCrc32Table()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
