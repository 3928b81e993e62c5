using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Cli;

/// <summary><c>--help</c> on every command shows an example and the exit codes; bad command lines exit 2.</summary>
public sealed class CliHelpTests
{
    public static TheoryData<string[], string> Commands => new()
    {
        { [], "pfnstudio whoami" },
        { ["whoami"], "pfnstudio whoami" },
        { ["push"], "pfnstudio push prior ./my-prior.py --project pfnstudio-demo" },
        { ["push", "prior"], "pfnstudio push prior ./my-prior.py --project pfnstudio-demo" },
        { ["push", "model"], "pfnstudio push model ./my-model.yaml --project pfnstudio-demo" },
        { ["priors"], "pfnstudio priors list --project pfnstudio-demo" },
        { ["priors", "list"], "pfnstudio priors list --project pfnstudio-demo" },
        { ["models", "list"], "pfnstudio models list --project pfnstudio-demo" },
        { ["runs", "list"], "pfnstudio runs list --project pfnstudio-demo" },
        { ["predict"], "pfnstudio predict --project pfnstudio-demo --input request.json" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task HelpShowsAnExampleAndTheExitCodes(string[] command, string example)
    {
        using var http = new HttpClient();

        var result = await CliHarness.RunAsync(http, [.. command, "--help"], new Dictionary<string, string>());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Usage:", result.Out, StringComparison.Ordinal);
        Assert.Contains("Examples:", result.OutLines);
        Assert.Contains($"  {example}", result.OutLines);
        Assert.Contains("Exit codes:", result.OutLines);
        Assert.Contains("   3  no token: none from --token, PFNSTUDIO_TOKEN or auth login (nothing was sent)", result.OutLines);
        Assert.Contains("   4  401: token refused (unknown, malformed, revoked or expired)", result.OutLines);
        Assert.Contains("   8  the server could not be reached, or did not answer within --timeout", result.OutLines);
    }

    [Theory]
    [InlineData("push", "prior")]
    [InlineData("whoami", "--nonsense")]
    [InlineData("runs", "list", "--project", "p", "--limit", "many")]
    [InlineData("frobnicate")]
    public async Task ABadCommandLineExitsWithTwoInOneLineThatSaysWhereHelpIs(params string[] args)
    {
        using var http = new HttpClient();

        var result = await CliHarness.RunAsync(http, args, new Dictionary<string, string> { ["PFNSTUDIO_TOKEN"] = "pfnstudio_pat_x" });

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Matches(@" \(see 'pfnstudio( [a-z]+)* --help'\)$", Assert.Single(result.ErrorLines));
    }
}
