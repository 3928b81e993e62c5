using System.CommandLine;
using System.CommandLine.Parsing;

namespace PfnStudio.Cli;

/// <summary>
/// The one line for a bad command line: a mistyped command or option gets "did you mean" (the closest name
/// by edit distance), anything else the parser's messages; always with where help is.
/// </summary>
internal static class UsageErrors
{
    public static string Describe(ParseResult parseResult, string commandPath)
    {
        var help = $"(see '{commandPath} --help')";
        if (parseResult.UnmatchedTokens.Count > 0)
        {
            var unknown = parseResult.UnmatchedTokens[0];
            var isOption = unknown.StartsWith('-');
            var what = isOption ? "option" : "command";
            var candidates = isOption ? OptionNames(parseResult.CommandResult) : CommandNames(parseResult.CommandResult.Command);
            return Closest(unknown, candidates) is { } suggestion
                ? $"unknown {what} '{unknown}' for '{commandPath}': did you mean '{suggestion}'? {help}"
                : $"unknown {what} '{unknown}' for '{commandPath}' {help}";
        }

        var messages = parseResult.Errors.Select(e => Ranges.Describe(e) ?? ApiClient.OneLine(e.Message).TrimEnd('.')).Distinct();
        return $"{string.Join("; ", messages)} {help}";
    }

    private static IEnumerable<string> CommandNames(Command command) =>
        command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name));

    // The command's own options and the recursive ones of the commands above it.
    private static List<string> OptionNames(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult command)
            {
                names.AddRange(command.Command.Options
                    .Where(o => !o.Hidden && (ReferenceEquals(command, result) || o.Recursive))
                    .SelectMany(o => o.Aliases.Prepend(o.Name)));
            }
        }

        return names;
    }

    // Close enough to be the same word mistyped: at most 1 edit for short names, 2 from 5 letters, or a prefix.
    private static string? Closest(string typed, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates.Distinct(StringComparer.Ordinal))
        {
            var distance = candidate.StartsWith(typed, StringComparison.OrdinalIgnoreCase) && typed.TrimStart('-').Length >= 2
                ? 1
                : Distance(typed.ToLowerInvariant(), candidate.ToLowerInvariant());
            var allowed = candidate.TrimStart('-').Length >= 5 ? 2 : 1;
            if (distance <= allowed && distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best;
    }

    // Optimal string alignment distance: a swap of two neighbours (pusg → push, rnus → runs) counts as one edit.
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
