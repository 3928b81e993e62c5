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

    /// <summary>The refusal for an e-mail address no account has.</summary>
    public Task<int> NoAccountAsync(string? email) => FailAsync($"error: no account has the email address \"{email}\".");
}
