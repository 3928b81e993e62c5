using PfnStudio.Tokens.Organizations;

namespace PfnStudio.Tokens.Operator;

/// <summary>
/// What every operator command runs with: the host's root services (a scope per command) and the three streams.
/// Standard output carries only the command's answer; every refusal is one line on standard error.
/// </summary>
internal sealed class OperatorConsole(IServiceProvider services, TextReader stdin, TextWriter stdout, TextWriter stderr)
{
    public TextReader In { get; } = stdin;

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    /// <summary>Runs <paramref name="action"/> in a fresh service scope (one DbContext per command).</summary>
    public async Task<int> InScopeAsync(Func<IServiceProvider, Task<int>> action)
    {
        await using var scope = services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    /// <summary>The answer of an organization operation: its message on stdout when done, on stderr when refused.</summary>
    public async Task<int> ReportAsync(OrganizationResult result)
    {
        if (!result.Succeeded)
        {
            return await FailAsync($"error: {result.Message}");
        }

        await Out.WriteLineAsync(result.Message);
        return OperatorCommandLine.Done;
    }

    /// <summary>Writes one refusal line and returns <see cref="OperatorCommandLine.Refused"/>.</summary>
    public async Task<int> FailAsync(string line)
    {
        await Error.WriteLineAsync(line);
        return OperatorCommandLine.Refused;
    }

    /// <summary>
    /// Writes an aligned table: a header row, then one row per item, columns separated by two spaces. Control
    /// and format characters in a cell become U+FFFD, so stored text cannot move the operator's cursor.
    /// With no rows it writes <paramref name="empty"/> instead.
    /// </summary>
    public async Task<int> WriteTableAsync(string[] headers, IReadOnlyList<string[]> rows, string empty)
    {
        if (rows.Count == 0)
        {
            await Out.WriteLineAsync(empty);
            return OperatorCommandLine.Done;
        }

        var cells = rows.Select(r => r.Select(Printable).ToArray()).Prepend(headers).ToList();
        var widths = headers.Select((_, i) => cells.Max(r => r[i].Length)).ToArray();
        foreach (var row in cells)
        {
            await Out.WriteLineAsync(string.Join("  ", row.Select((c, i) => i == row.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
        }

        return OperatorCommandLine.Done;
    }

    private static string Printable(string text) =>
        string.Create(text.Length, text, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.GetUnicodeCategory(source[i]) is System.Globalization.UnicodeCategory.Control
                    or System.Globalization.UnicodeCategory.Format
                    or System.Globalization.UnicodeCategory.LineSeparator
                    or System.Globalization.UnicodeCategory.ParagraphSeparator
                    ? '\uFFFD' : source[i];
            }
        });

    /// <summary>A UTC instant as the tables show it: <c>2026-12-02 14:05</c>, or "-" for none.</summary>
    public static string Instant(DateTimeOffset? instant) =>
        instant?.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) ?? "-";

    /// <summary>The refusal for an e-mail address no account has.</summary>
    public Task<int> NoAccountAsync(string? email) => FailAsync($"error: no account has the email address \"{email}\".");
}
