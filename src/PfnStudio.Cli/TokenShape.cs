namespace PfnStudio.Cli;

/// <summary>
/// The shapes of a personal access token, as the CLI needs to know them: <c>pfnstudio_pat_</c> and 32 base62
/// characters, then (current tokens, 52 characters) a 6-character checksum, or nothing (legacy tokens, 46
/// characters). The first 12 characters after the marker are the public prefix; everything after it is secret.
/// The CLI sends whatever it is given and the server decides (it also verifies the checksum); this only says what
/// may be shown of a token and what must be hidden.
/// </summary>
internal static class TokenShape
{
    /// <summary>The marker every token starts with.</summary>
    public const string Marker = "pfnstudio_pat_";

    /// <summary>Characters of the public prefix after the marker.</summary>
    public const int PrefixLength = 12;

    /// <summary>Length of a current token (with its checksum).</summary>
    public const int TokenLength = 52;

    /// <summary>Length of a legacy token (no checksum).</summary>
    public const int LegacyTokenLength = 46;

    private static readonly System.Buffers.SearchValues<char> Base62 =
        System.Buffers.SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <summary>Whether <paramref name="token"/> has either token shape (marker, length, base62).</summary>
    public static bool IsTokenShaped(string token) =>
        token.Length is TokenLength or LegacyTokenLength
        && token.StartsWith(Marker, StringComparison.Ordinal)
        && !token.AsSpan(Marker.Length).ContainsAnyExcept(Base62);

    /// <summary>The secret part of a token-shaped value: everything after the marker and the prefix.</summary>
    public static string Secret(string token) => token[(Marker.Length + PrefixLength)..];
}
