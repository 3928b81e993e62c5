using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Cli;
using PfnStudio.Tokens.Organizations;

namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>What one run of <c>pfnstudio</c> left: its exit code and everything it wrote.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    /// <summary>Standard output split into lines, without the trailing empty one.</summary>
    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    /// <summary>Standard error split into lines, without the trailing empty one.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}--- stderr\n{Error}";
}

/// <summary>Runs the CLI in-process against a <see cref="TokensApplication"/>, as a user would on a terminal.</summary>
internal static class CliHarness
{
    /// <summary>The URL the in-memory test server answers on (the fixture's https base address).</summary>
    public const string ServerUrl = "https://localhost";

    /// <summary>
    /// Runs <c>pfnstudio <paramref name="args"/></c> with an in-memory client to <paramref name="app"/>, the app's
    /// fake clock, and <paramref name="environment"/> as the whole environment (PFNSTUDIO_URL defaults to the test server).
    /// </summary>
    public static async Task<CliResult> RunCliAsync(
        this TokensApplication app, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null,
        string? standardInput = null, string? workingDirectory = null, Func<string?>? terminal = null)
    {
        Assert.Equal(new Uri(ServerUrl), app.ClientOptions.BaseAddress);
        using var http = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = app.ClientOptions.BaseAddress, AllowAutoRedirect = false });
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        env.TryAdd("PFNSTUDIO_URL", ServerUrl);
        return await RunAsync(http, args, env, app.Clock, standardInput, workingDirectory, terminal);
    }

    /// <summary>
    /// Runs the CLI with any client (a real socket client for Kestrel or an unreachable port). With
    /// <paramref name="terminal"/>, standard input is a terminal and <paramref name="terminal"/> answers its
    /// no-echo prompt.
    /// </summary>
    public static async Task<CliResult> RunAsync(
        HttpClient http, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, TimeProvider? time = null,
        string? standardInput = null, string? workingDirectory = null, Func<string?>? terminal = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext
        {
            Http = http,
            Out = output,
            Error = error,
            In = new StringReader(standardInput ?? string.Empty),
            InputIsTerminal = terminal is not null,
            ReadSecret = terminal,
            Environment = environment,
            Time = time ?? TimeProvider.System,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        var exitCode = await PfnStudioCli.RunAsync(args, context, TestContext.Current.CancellationToken);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>
    /// A user who is a member of the default organization (so <c>pfnstudio-demo</c> is theirs) and a token of theirs.
    /// </summary>
    public static async Task<(string UserId, string Token)> CreateDemoMemberWithTokenAsync(
        this TokensApplication app, string email, int? expiresInDays = null)
    {
        var user = await app.CreateUserAsync(email);
        using (var scope = app.Services.CreateScope())
        {
            var organizations = scope.ServiceProvider.GetRequiredService<OrganizationService>();
            Assert.NotNull(await organizations.JoinDefaultOnSignUpAsync(user.Id));
        }

        return (user.Id, await app.IssueTokenAsync(user.Id, $"cli {email}", expiresInDays));
    }

    /// <summary>Environment with only <c>PFNSTUDIO_TOKEN</c>.</summary>
    public static Dictionary<string, string> TokenEnvironment(string token) => new(StringComparer.Ordinal) { ["PFNSTUDIO_TOKEN"] = token };
}
