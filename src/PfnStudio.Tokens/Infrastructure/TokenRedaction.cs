using System.Text.RegularExpressions;

namespace PfnStudio.Tokens.Infrastructure;

/// <summary>
/// Cuts anything shaped like a personal access token down to its marker and public prefix
/// (<c>pfnstudio_pat_AbC123xYz789…</c>), in log values and in problem bodies that echo what a caller sent
/// (a path segment, a file name). URL-encoded forms (<c>pfnstudio%5Fpat%5F…</c>, <c>%70fnstudio_pat_…</c>) and
/// hyphenated ones are recognised too, in both token shapes (with checksum, 52 characters, and legacy, 46); a bare
/// body without the marker cannot be told from other text and is not.
/// </summary>
internal static partial class TokenRedaction
{
    /// <summary>
    /// Returns <paramref name="text"/> with every token-shaped run redacted (equal to it when there is none).
    /// An URL-encoded value that hides a token is returned decoded and redacted.
    /// </summary>
    public static string Redact(string text)
    {
        if (text.Length < 14)
        {
            return text;
        }

        var redacted = Pattern().Replace(text, Cut);

        // An URL-encoded token may sit beside a plain one, so the decoded form is looked at whatever the first pass found.
        if (redacted.Contains('%', StringComparison.Ordinal))
        {
            string decoded;
            try
            {
                decoded = Uri.UnescapeDataString(redacted);
            }
            catch (UriFormatException)
            {
                return redacted;
            }

            var decodedRedacted = Pattern().Replace(decoded, Cut);
            return string.Equals(decodedRedacted, decoded, StringComparison.Ordinal) ? redacted : decodedRedacted;
        }

        return redacted;
    }

    // Only what follows the public prefix is dropped; a marker or prefix with nothing after it (such as the hint
    // "Bearer pfnstudio_pat_…") is left as it is rather than given a second ellipsis.
    private static string Cut(Match match) =>
        match.Length == match.Groups["keep"].Length ? match.Value : match.Groups["keep"].Value + "…";

    /// <summary>
    /// Redacts the title, detail and string extensions of a problem body, so an error that quotes what the caller
    /// sent (a project slug, a file name) never carries a token back out.
    /// </summary>
    public static void RedactProblem(Microsoft.AspNetCore.Http.ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Title = problem.Title is null ? null : Redact(problem.Title);
        problem.Detail = problem.Detail is null ? null : Redact(problem.Detail);
        foreach (var (key, value) in problem.Extensions.ToList())
        {
            if (value is string text)
            {
                problem.Extensions[key] = Redact(text);
            }
        }

        if (problem is Microsoft.AspNetCore.Http.HttpValidationProblemDetails validation)
        {
            foreach (var (field, messages) in validation.Errors.ToList())
            {
                validation.Errors[field] = messages.Select(Redact).ToArray();
            }
        }
    }

    // The marker (any case, _ or -) and up to 12 prefix characters are kept; every further base62 character is dropped.
    [GeneratedRegex("(?<keep>pfnstudio[_-]pat[_-][0-9A-Za-z]{0,12})[0-9A-Za-z]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
