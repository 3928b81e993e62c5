using System.Globalization;
using System.Text;

namespace PfnStudio.Cli.Output;

/// <summary>
/// Makes text from a server safe to show in a terminal: a hostile server, a proxy or another member's data must
/// not be able to move the cursor, retitle the window, ring the bell or reorder a line.
/// </summary>
internal static class TerminalText
{
    /// <summary>
    /// Replaces every control or reordering character with a visible escape: C0 (U+0000–U+001F, so also tab, CR
    /// and LF), DEL, C1 (U+0080–U+009F), the bidirectional controls and the line and paragraph separators become
    /// <c>\x1b</c> or <c>\u202e</c>; a lone surrogate becomes U+FFFD.
    /// </summary>
    public static string Safe(string? text) => Escape(text, keepNewlines: false);

    /// <summary>As <see cref="Safe"/>, but keeps <c>\n</c> (and a <c>\r</c> right before it): for whole output lines.</summary>
    public static string SafeLines(string? text) => Escape(text, keepNewlines: true);

    private static string Escape(string? text, bool keepNewlines)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        var firstUnsafe = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (NeedsEscape(text, i, keepNewlines))
            {
                firstUnsafe = i;
                break;
            }
        }

        if (firstUnsafe < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16).Append(text, 0, firstUnsafe);
        for (var i = firstUnsafe; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (char.IsSurrogate(c))
            {
                builder.Append('\uFFFD');
            }
            else if (NeedsEscape(text, i, keepNewlines))
            {
                builder.Append(c <= '\u00FF'
                    ? string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}")
                    : string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool NeedsEscape(string text, int i, bool keepNewlines)
    {
        var c = text[i];
        if (keepNewlines && (c == '\n' || (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')))
        {
            return false;
        }

        return c switch
        {
            < '\u0020' or '\u007F' => true,
            >= '\u0080' and <= '\u009F' => true,
            // Bidirectional controls (a line that reads differently from what it holds) and separators some
            // terminals treat as line breaks.
            '\u061C' or '\u200E' or '\u200F' or '\u2028' or '\u2029' => true,
            >= '\u202A' and <= '\u202E' => true,
            >= '\u2066' and <= '\u2069' => true,
            _ => char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                && !(char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(text[i - 1])),
        };
    }
}
