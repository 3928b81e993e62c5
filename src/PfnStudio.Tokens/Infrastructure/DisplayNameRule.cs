using System.Globalization;
using System.Text;
using ADRaffy.ENSNormalize;

namespace PfnStudio.Tokens.Infrastructure;

/// <summary>
/// The one rule for every name a person types that reaches someone else's screen (token names, organization names,
/// the Predict request's <c>model</c>; slugs and artifact names follow stricter ASCII patterns after passing it):
/// trimmed and Unicode-normalised to NFC, then refused — never cut or cleaned — when it holds
/// control characters (Cc: escape sequences, CR, LF, tab), format characters (Cf: bidi overrides and isolates
/// U+202A–U+202E and U+2066–U+2069, zero-width space/joiners, BOM), line or paragraph separators (Zl, Zp),
/// unassigned code points or lone surrogates, invisible fillers (U+115F, U+1160, U+3164, U+FFA0), a leading
/// combining mark, or more than <see cref="MaxCombiningMarksInARow"/> combining marks in a row (which draw over
/// neighbouring rows). Length is counted in code points after normalisation.
/// </summary>
internal static class DisplayNameRule
{
    /// <summary>Most combining marks (Mn, Mc, Me) allowed after one base character; enough for any living script's accents.</summary>
    public const int MaxCombiningMarksInARow = 2;

    /// <summary>
    /// Checks <paramref name="text"/>. The result's <see cref="NameCheck.Value"/> is the trimmed NFC form (empty when
    /// blank: whether a blank name is allowed is the caller's rule); <see cref="NameCheck.Problem"/> is null when the
    /// name is acceptable, else the rest of a sentence that starts with the field's name, e.g.
    /// "The token name " + problem + ".". A problem names the offending code point (U+XXXX) but never repeats it.
    /// </summary>
    public static NameCheck Check(string? text, int maxLength)
    {
        var trimmed = text?.Trim() ?? string.Empty;
        if (!IsWellFormed(trimmed))
        {
            return new NameCheck(string.Empty, "is not valid Unicode text");
        }

        // Not string.Normalize: with InvariantGlobalization (Directory.Build.props) it returns its input unchanged.
        // ENSNormalize's NF is a managed NFC that passes Unicode's NormalizationTest.txt.
        var normalized = ENSNormalize.NF.NFC(trimmed);
        var position = 0;
        var marksInARow = 0;
        foreach (var rune in normalized.EnumerateRunes())
        {
            position++;
            var at = $"U+{rune.Value:X4} at position {position}";
            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.Control:
                    return new NameCheck(normalized, $"cannot contain control characters such as line breaks, tabs or escape ({at})");
                case UnicodeCategory.Format:
                    return new NameCheck(normalized, $"cannot contain invisible formatting characters such as text-direction overrides or zero-width characters ({at})");
                case UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator:
                    return new NameCheck(normalized, $"cannot contain line or paragraph separators ({at})");
                case UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate:
                    return new NameCheck(normalized, $"cannot contain unassigned characters ({at})");
                case UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark:
                    if (position == 1)
                    {
                        return new NameCheck(normalized, $"cannot start with a combining mark ({at})");
                    }

                    if (++marksInARow > MaxCombiningMarksInARow)
                    {
                        return new NameCheck(normalized, $"cannot have more than {MaxCombiningMarksInARow} combining marks in a row ({at})");
                    }

                    break;
                default:
                    if (rune.Value is 0x115F or 0x1160 or 0x3164 or 0xFFA0)
                    {
                        return new NameCheck(normalized, $"cannot contain invisible filler characters ({at})");
                    }

                    marksInARow = 0;
                    break;
            }
        }

        return position > maxLength
            ? new NameCheck(normalized, $"must be at most {maxLength} characters")
            : new NameCheck(normalized, null);
    }

    // Lone surrogates cannot be normalised (Normalize throws) nor stored as UTF-8.
    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>The outcome of <see cref="DisplayNameRule.Check"/>.</summary>
/// <param name="Value">The name trimmed and in NFC: what to store when <paramref name="Problem"/> is null.</param>
/// <param name="Problem">Why the name is refused, as the end of a sentence; null when it is acceptable.</param>
internal readonly record struct NameCheck(string Value, string? Problem)
{
    /// <summary>Whether the name may be stored.</summary>
    public bool IsValid => Problem is null;
}
