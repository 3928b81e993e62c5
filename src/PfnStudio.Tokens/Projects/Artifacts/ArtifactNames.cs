using System.Text.RegularExpressions;

namespace PfnStudio.Tokens.Projects.Artifacts;

/// <summary>The rule for prior and model names, and the built-in prior's reserved name.</summary>
internal static partial class ArtifactNames
{
    /// <summary>The built-in Gaussian-process prior's name; no pushed prior may take it.</summary>
    public const string BuiltInPrior = "gp";

    /// <summary>The rule <see cref="Pattern"/> enforces, in words, for error messages.</summary>
    public const string Rule = "1–100 characters: letters, digits, '_', '-' or '.', starting with a letter or digit";

    /// <summary>ASCII only, so a name reads the same in every terminal and URL path segment.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\\z", RegexOptions.CultureInvariant)]
    public static partial Regex Pattern();
}
