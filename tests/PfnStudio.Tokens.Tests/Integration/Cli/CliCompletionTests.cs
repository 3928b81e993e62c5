using System.Diagnostics;

using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Cli;

/// <summary>
/// Shell completion (<c>pfnstudio completion bash|zsh|fish</c> and the hidden <c>__complete</c> the scripts call)
/// and "did you mean" for a mistyped command or option: one line, exit 2.
/// </summary>
public sealed class CliCompletionTests
{
    [Theory]
    [InlineData("bash", "complete -o default -F _pfnstudio_complete pfnstudio")]
    [InlineData("zsh", "compdef _pfnstudio pfnstudio")]
    [InlineData("fish", "complete -c pfnstudio -f -a '(__pfnstudio_complete)'")]
    public async Task EachShellGetsAScriptThatAsksTheCliForCompletions(string shell, string registration)
    {
        using var http = new HttpClient();

        var result = await CliHarness.RunAsync(http, ["completion", shell], new Dictionary<string, string>());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(registration, result.OutLines);
        Assert.Contains("__complete", result.Out, StringComparison.Ordinal);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task AnUnknownShellIsAUsageError()
    {
        using var http = new HttpClient();

        var result = await CliHarness.RunAsync(http, ["completion", "tcsh"], new Dictionary<string, string>());

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.ErrorLines);
    }

    [Theory]
    [InlineData("pfnstudio ru", new[] { "runs" })]
    [InlineData("pfnstudio au", new[] { "auth" })]
    [InlineData("pfnstudio auth ", new[] { "login", "logout", "status" })]
    [InlineData("pfnstudio runs list --c", new[] { "--cursor" })]
    [InlineData("./tools/pfnstudio completion ", new[] { "bash", "fish", "zsh" })]
    public async Task CompleteListsWhatCanFollowTheLine(string line, string[] expected)
    {
        using var http = new HttpClient();

        var result = await CliHarness.RunAsync(http, ["__complete", line], new Dictionary<string, string>());

        Assert.True(result.ExitCode == 0, result.ToString());
        // Options are offered everywhere; where a word is being completed, only its matches.
        var words = line.Split(' ')[^1].StartsWith('-') ? result.OutLines : result.OutLines.Where(w => !w.StartsWith('-')).ToArray();
        Assert.Equal(expected, words);
    }

    [Fact]
    public async Task TheHiddenCommandIsNotOfferedNorInHelp()
    {
        using var http = new HttpClient();

        var complete = await CliHarness.RunAsync(http, ["__complete", "pfnstudio "], new Dictionary<string, string>());
        var help = await CliHarness.RunAsync(http, ["--help"], new Dictionary<string, string>());

        Assert.Contains("whoami", complete.OutLines);
        Assert.DoesNotContain(complete.OutLines, l => l.Contains("__complete", StringComparison.Ordinal));
        Assert.DoesNotContain("__complete", help.Out, StringComparison.Ordinal);
        Assert.Contains("completion", help.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheBashScriptCompletesInARealBash()
    {
        var bash = "/usr/bin/bash";
        var cli = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "pfnstudio.exe" : "pfnstudio");
        Assert.SkipUnless(File.Exists(bash) && File.Exists(cli), "needs /usr/bin/bash and the pfnstudio apphost beside the tests");

        var script = $$"""
            source <("{{cli}}" completion bash)
            COMP_WORDS=("{{cli}}" runs li); COMP_CWORD=2
            _pfnstudio_complete
            printf '%s\n' "${COMPREPLY[@]}"
            """;
        var start = new ProcessStartInfo(bash, ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(0, process.ExitCode);
        Assert.Equal("list\n", output);
    }

    [Theory]
    [InlineData(new[] { "pushh" }, "unknown command 'pushh' for 'pfnstudio': did you mean 'push'? (see 'pfnstudio --help')")]
    [InlineData(new[] { "rnus", "list" }, "unknown command 'rnus' for 'pfnstudio': did you mean 'runs'? (see 'pfnstudio --help')")]
    [InlineData(new[] { "runs", "lst", "-p", "x" }, "unknown command 'lst' for 'pfnstudio runs': did you mean 'list'? (see 'pfnstudio runs --help')")]
    [InlineData(new[] { "runs", "list", "--projcet", "x" }, "unknown option '--projcet' for 'pfnstudio runs list': did you mean '--project'? (see 'pfnstudio runs list --help')")]
    [InlineData(new[] { "whoami", "--jsno" }, "unknown option '--jsno' for 'pfnstudio whoami': did you mean '--json'? (see 'pfnstudio whoami --help')")]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate' for 'pfnstudio' (see 'pfnstudio --help')")]
    public async Task AMistypedCommandOrOptionGetsDidYouMeanInOneLineAndExitsWithTwo(string[] args, string line)
    {
        using var http = new HttpClient();

        var result = await CliHarness.RunAsync(http, args, CliHarness.TokenEnvironment("pfnstudio_pat_x"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal([line], result.ErrorLines);
        Assert.Equal("", result.Out);
    }
}
