using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace PfnStudio.Cli;

/// <summary>Range checks on numeric options, made while parsing: a value out of range is exit 2 and no request is sent.</summary>
internal static class Ranges
{
    private static readonly ConditionalWeakTable<Option, Tuple<int, int>> Limits = new();

    /// <summary>A validator: the option's value, when given, is from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Action<OptionResult> Between(Option option, int min, int max)
    {
        Limits.AddOrUpdate(option, Tuple.Create(min, max));
        return result =>
        {
            if (result.Implicit || result.Tokens.Count == 0)
            {
                return;
            }

            // A value that is not a whole number at all is reported by the parser itself (see Describe).
            var text = result.Tokens[^1].Value;
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && (value < min || value > max))
            {
                result.AddError(Message(option, min, max, text));
            }
        };
    }

    /// <summary>
    /// The same one line for a value of a ranged option that the parser could not read as a whole number (a word, a
    /// fraction, a number beyond <see cref="int"/>), instead of the parser's, which names a .NET type; otherwise null.
    /// </summary>
    public static string? Describe(ParseError error)
    {
        var result = error.SymbolResult switch
        {
            OptionResult option => option,
            ArgumentResult { Parent: OptionResult option } => option,
            _ => null,
        };
        if (result is null || result.Tokens.Count == 0 || !Limits.TryGetValue(result.Option, out var limits))
        {
            return null;
        }

        var text = result.Tokens[^1].Value;
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
            ? null
            : Message(result.Option, limits.Item1, limits.Item2, text.Length == 0 ? "''" : text);
    }

    private static string Message(Option option, int min, int max, string text) =>
        string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be a whole number from {min} to {max}, not {text}");
}
