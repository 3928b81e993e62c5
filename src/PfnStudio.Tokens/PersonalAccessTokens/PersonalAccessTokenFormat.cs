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

    // CRC-32 of each byte value: the reflected IEEE polynomial 0xEDB88320, as zlib's crc32.c tabulates it (tests
    // check every entry against the bitwise definition).
    private static ReadOnlySpan<uint> Crc32Table =>
    [
        0x00000000, 0x77073096, 0xEE0E612C, 0x990951BA, 0x076DC419, 0x706AF48F, 0xE963A535, 0x9E6495A3,
        0x0EDB8832, 0x79DCB8A4, 0xE0D5E91E, 0x97D2D988, 0x09B64C2B, 0x7EB17CBD, 0xE7B82D07, 0x90BF1D91,
        0x1DB71064, 0x6AB020F2, 0xF3B97148, 0x84BE41DE, 0x1ADAD47D, 0x6DDDE4EB, 0xF4D4B551, 0x83D385C7,
        0x136C9856, 0x646BA8C0, 0xFD62F97A, 0x8A65C9EC, 0x14015C4F, 0x63066CD9, 0xFA0F3D63, 0x8D080DF5,
        0x3B6E20C8, 0x4C69105E, 0xD56041E4, 0xA2677172, 0x3C03E4D1, 0x4B04D447, 0xD20D85FD, 0xA50AB56B,
        0x35B5A8FA, 0x42B2986C, 0xDBBBC9D6, 0xACBCF940, 0x32D86CE3, 0x45DF5C75, 0xDCD60DCF, 0xABD13D59,
        0x26D930AC, 0x51DE003A, 0xC8D75180, 0xBFD06116, 0x21B4F4B5, 0x56B3C423, 0xCFBA9599, 0xB8BDA50F,
        0x2802B89E, 0x5F058808, 0xC60CD9B2, 0xB10BE924, 0x2F6F7C87, 0x58684C11, 0xC1611DAB, 0xB6662D3D,
        0x76DC4190, 0x01DB7106, 0x98D220BC, 0xEFD5102A, 0x71B18589, 0x06B6B51F, 0x9FBFE4A5, 0xE8B8D433,
        0x7807C9A2, 0x0F00F934, 0x9609A88E, 0xE10E9818, 0x7F6A0DBB, 0x086D3D2D, 0x91646C97, 0xE6635C01,
        0x6B6B51F4, 0x1C6C6162, 0x856530D8, 0xF262004E, 0x6C0695ED, 0x1B01A57B, 0x8208F4C1, 0xF50FC457,
        0x65B0D9C6, 0x12B7E950, 0x8BBEB8EA, 0xFCB9887C, 0x62DD1DDF, 0x15DA2D49, 0x8CD37CF3, 0xFBD44C65,
        0x4DB26158, 0x3AB551CE, 0xA3BC0074, 0xD4BB30E2, 0x4ADFA541, 0x3DD895D7, 0xA4D1C46D, 0xD3D6F4FB,
        0x4369E96A, 0x346ED9FC, 0xAD678846, 0xDA60B8D0, 0x44042D73, 0x33031DE5, 0xAA0A4C5F, 0xDD0D7CC9,
        0x5005713C, 0x270241AA, 0xBE0B1010, 0xC90C2086, 0x5768B525, 0x206F85B3, 0xB966D409, 0xCE61E49F,
        0x5EDEF90E, 0x29D9C998, 0xB0D09822, 0xC7D7A8B4, 0x59B33D17, 0x2EB40D81, 0xB7BD5C3B, 0xC0BA6CAD,
        0xEDB88320, 0x9ABFB3B6, 0x03B6E20C, 0x74B1D29A, 0xEAD54739, 0x9DD277AF, 0x04DB2615, 0x73DC1683,
        0xE3630B12, 0x94643B84, 0x0D6D6A3E, 0x7A6A5AA8, 0xE40ECF0B, 0x9309FF9D, 0x0A00AE27, 0x7D079EB1,
        0xF00F9344, 0x8708A3D2, 0x1E01F268, 0x6906C2FE, 0xF762575D, 0x806567CB, 0x196C3671, 0x6E6B06E7,
        0xFED41B76, 0x89D32BE0, 0x10DA7A5A, 0x67DD4ACC, 0xF9B9DF6F, 0x8EBEEFF9, 0x17B7BE43, 0x60B08ED5,
        0xD6D6A3E8, 0xA1D1937E, 0x38D8C2C4, 0x4FDFF252, 0xD1BB67F1, 0xA6BC5767, 0x3FB506DD, 0x48B2364B,
        0xD80D2BDA, 0xAF0A1B4C, 0x36034AF6, 0x41047A60, 0xDF60EFC3, 0xA867DF55, 0x316E8EEF, 0x4669BE79,
        0xCB61B38C, 0xBC66831A, 0x256FD2A0, 0x5268E236, 0xCC0C7795, 0xBB0B4703, 0x220216B9, 0x5505262F,
        0xC5BA3BBE, 0xB2BD0B28, 0x2BB45A92, 0x5CB36A04, 0xC2D7FFA7, 0xB5D0CF31, 0x2CD99E8B, 0x5BDEAE1D,
        0x9B64C2B0, 0xEC63F226, 0x756AA39C, 0x026D930A, 0x9C0906A9, 0xEB0E363F, 0x72076785, 0x05005713,
        0x95BF4A82, 0xE2B87A14, 0x7BB12BAE, 0x0CB61B38, 0x92D28E9B, 0xE5D5BE0D, 0x7CDCEFB7, 0x0BDBDF21,
        0x86D3D2D4, 0xF1D4E242, 0x68DDB3F8, 0x1FDA836E, 0x81BE16CD, 0xF6B9265B, 0x6FB077E1, 0x18B74777,
        0x88085AE6, 0xFF0F6A70, 0x66063BCA, 0x11010B5C, 0x8F659EFF, 0xF862AE69, 0x616BFFD3, 0x166CCF45,
        0xA00AE278, 0xD70DD2EE, 0x4E048354, 0x3903B3C2, 0xA7672661, 0xD06016F7, 0x4969474D, 0x3E6E77DB,
        0xAED16A4A, 0xD9D65ADC, 0x40DF0B66, 0x37D83BF0, 0xA9BCAE53, 0xDEBB9EC5, 0x47B2CF7F, 0x30B5FFE9,
        0xBDBDF21C, 0xCABAC28A, 0x53B39330, 0x24B4A3A6, 0xBAD03605, 0xCDD70693, 0x54DE5729, 0x23D967BF,
        0xB3667A2E, 0xC4614AB8, 0x5D681B02, 0x2A6F2B94, 0xB40BBE37, 0xC30C8EA1, 0x5A05DF1B, 0x2D02EF8D,
    ];

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
            crc = Crc32Table[(int)((crc ^ (byte)c) & 0xFF)] ^ (crc >> 8);
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
}
