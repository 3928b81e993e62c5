using System.Security.Cryptography;

namespace PfnStudio.Tokens.PersonalAccessTokens;

/// <summary>
/// The text form of a personal access token: <c>pfnstudio_pat_</c> followed by 32 base62 characters
/// (<c>[0-9A-Za-z]</c>, about 190 bits from <see cref="RandomNumberGenerator"/>). The first 12 of those
/// characters are the token's public <em>prefix</em> (its lookup key); the other 20 are secret.
/// </summary>
internal static class PersonalAccessTokenFormat
{
    /// <summary>The fixed marker every token starts with, so secret scanners and people can recognise one.</summary>
    public const string Marker = "pfnstudio_pat_";

    /// <summary>Number of base62 characters after <see cref="Marker"/>.</summary>
    public const int BodyLength = 32;

    /// <summary>Number of leading body characters that form the public prefix.</summary>
    public const int PrefixLength = 12;

    /// <summary>Length of a whole token in characters (46).</summary>
    public const int TokenLength = 46;

    /// <summary>The base62 alphabet the body is drawn from.</summary>
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>
    /// Draws a new token from the operating system's cryptographic random number generator.
    /// Each character is chosen uniformly (no modulo bias).
    /// </summary>
    /// <returns>A 46-character token such as <c>pfnstudio_pat_AbC123xYz789…</c>.</returns>
    public static string Generate() => Marker + RandomNumberGenerator.GetString(Alphabet, BodyLength);

    /// <summary>
    /// Checks that <paramref name="token"/> is a well-formed token (marker, length, alphabet) and, if so,
    /// returns its prefix. Never throws and never touches a store, so callers can reject garbage cheaply.
    /// </summary>
    /// <param name="token">The presented token, exactly as received (no trimming is done here).</param>
    /// <param name="prefix">The 12-character prefix when the result is <see langword="true"/>; otherwise empty.</param>
    /// <returns><see langword="true"/> when the token has the exact shape of a personal access token.</returns>
    public static bool TryGetPrefix(ReadOnlySpan<char> token, out string prefix)
    {
        prefix = string.Empty;
        if (token.Length != TokenLength || !token.StartsWith(Marker, StringComparison.Ordinal))
        {
            return false;
        }

        var body = token[Marker.Length..];
        foreach (var c in body)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        prefix = body[..PrefixLength].ToString();
        return true;
    }

    /// <summary>How a token is shown once its plaintext is gone: the marker, the prefix and an ellipsis.</summary>
    /// <param name="prefix">The token's 12-character prefix.</param>
    public static string Display(string prefix) => Marker + prefix + "…";
}
