using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace PfnStudio.Cli;

/// <summary>Range checks on numeric options, made while parsing: a value out of range is exit 2 and no request is sent.</summary>
internal static class Ranges
{
    /// <summary>A validator: the option's value, when given, is from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Action<OptionResult> Between(Option option, int min, int max) => result =>
    {
        if (result.Implicit || result.Tokens.Count == 0)
        {
            return;
        }

        var text = result.Tokens[^1].Value;
        // A value that is not a number at all is reported by the parser itself.
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && (value < min || value > max))
        {
            result.AddError(string.Create(CultureInfo.InvariantCulture,
                $"{option.Name} must be a whole number from {min} to {max}, not {text}"));
        }
    };
}
