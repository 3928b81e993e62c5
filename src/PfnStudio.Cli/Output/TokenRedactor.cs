using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PfnStudio.Cli.Output;

/// <summary>
/// Removes the token from text however a server or the OS echoes it: in any letter case, percent-encoded
/// (<c>%5F</c>), JSON-escaped (<c>\u005f</c>) or as an HTML character reference, anywhere in a line; and the
/// secret part of a well-formed token on its own (everything after the prefix: 26 characters of a current token with
/// its checksum, 20 of a legacy one).
/// </summary>
internal sealed class TokenRedactor
{
    /// <summary>What a redacted token is replaced with.</summary>
    public const string Placeholder = "[token]";

    private readonly Regex? _pattern;

    public TokenRedactor(string? token)
    {
        // Shorter than this it is no secret worth hiding, and would match ordinary words.
        if (token is not { Length: >= 8 })
        {
            return;
        }

        var alternatives = new List<string> { Pattern(token) };
        if (TokenShape.IsTokenShaped(token))
        {
            alternatives.Add(Pattern(TokenShape.Secret(token)));
        }

        _pattern = new Regex(string.Join('|', alternatives),
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
    }

    /// <summary>No token to hide.</summary>
    public static TokenRedactor None { get; } = new(null);

    /// <summary><paramref name="text"/> with every echo of the token replaced by <see cref="Placeholder"/>.</summary>
    public string Redact(string text) => _pattern is null || text.Length == 0 ? text : _pattern.Replace(text, Placeholder);

    // Each character as itself, %XX, \u00XX or &#xXX; / &#NN;.
    private static string Pattern(string value)
    {
        var builder = new StringBuilder();
        foreach (var c in value)
        {
            var code = (int)c;
            builder.Append("(?:").Append(Regex.Escape(c.ToString()));
            if (code < 0x80)
            {
                builder.Append(CultureInfo.InvariantCulture, $"|%{code:X2}|\\\\u00{code:X2}|&\\#x0*{code:X2};|&\\#0*{code};");
            }

            builder.Append(')');
        }

        return builder.ToString();
    }
}
