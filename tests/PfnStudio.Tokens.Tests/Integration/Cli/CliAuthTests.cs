using System.Net;
using System.Text;
using System.Text.Json;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Cli;

/// <summary>
/// <c>pfnstudio auth login|status|logout</c> and the config file under a temporary <c>XDG_CONFIG_HOME</c>: a token
/// is saved (0600, folder 0700) only after the server accepted it, and flag beats environment beats file for
/// both the token and the URL.
/// </summary>
public sealed class CliAuthTests : IDisposable
{
    private readonly string _configHome = Directory.CreateTempSubdirectory("pfnstudio-cli-config-").FullName;

    private string ConfigPath => Path.Combine(_configHome, "pfnstudio", "config.json");

    public void Dispose() => Directory.Delete(_configHome, recursive: true);

    [Fact]
    public async Task LoginReadsTheTokenFromStandardInputChecksItAndSavesItWithTheUrlInA0600File()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("ada@example.com");

        var login = await app.RunCliAsync(["auth", "login"], Config(), standardInput: token + "\n");
        var whoami = await app.RunCliAsync(["whoami"], Config());

        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Equal([$"logged in to https://localhost as ada@example.com with token {token[..26]}… (cli ada@example.com); saved in {ConfigPath}"], login.OutLines);
        Assert.DoesNotContain(token, login.Out + login.Error, StringComparison.Ordinal);
        using (var saved = JsonDocument.Parse(await File.ReadAllTextAsync(ConfigPath, TestContext.Current.CancellationToken)))
        {
            Assert.Equal("https://localhost", saved.RootElement.GetProperty("url").GetString());
            Assert.Equal(token, saved.RootElement.GetProperty("token").GetString());
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ConfigPath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(ConfigPath)!));
        }

        // No temporary file is left beside it (written atomically: temporary file, then rename).
        Assert.Equal([ConfigPath], Directory.GetFiles(Path.GetDirectoryName(ConfigPath)!));
        Assert.True(whoami.ExitCode == 0, whoami.ToString());
        Assert.Contains(whoami.OutLines, l => l.StartsWith("user", StringComparison.Ordinal) && l.EndsWith("ada@example.com", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoginAtATerminalPromptsWithoutEchoOnStandardError()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("ada@example.com");
        var prompted = 0;

        var login = await app.RunCliAsync(["auth", "login"], Config(), terminal: () =>
        {
            prompted++;
            return token;
        });

        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Equal(1, prompted);
        Assert.StartsWith("Paste a personal access token from https://localhost/api-tokens (input is hidden): ", login.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(token, login.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(ConfigPath));
    }

    [Fact]
    public async Task AWrongOrMissingTokenIsNotSaved()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("ada@example.com");
        var wrong = token[..^4] + "AAAA";

        var refused = await app.RunCliAsync(["auth", "login"], Config(), standardInput: wrong);
        var empty = await app.RunCliAsync(["auth", "login"], Config(), standardInput: "\n");

        Assert.Equal(4, refused.ExitCode);
        Assert.StartsWith("token refused (401): ", Assert.Single(refused.ErrorLines), StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, refused.Error, StringComparison.Ordinal);
        Assert.Equal(3, empty.ExitCode);
        Assert.StartsWith("no token on standard input", Assert.Single(empty.ErrorLines), StringComparison.Ordinal);
        Assert.False(File.Exists(ConfigPath));
        Assert.False(Directory.Exists(Path.GetDirectoryName(ConfigPath)) && Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(ConfigPath)!).Any());
    }

    [Fact]
    public async Task StatusSaysWhereTheTokenCameFromFlagThenEnvironmentThenFileAndNeverShowsIt()
    {
        await using var app = new TokensApplication();
        var (_, fileToken) = await app.CreateDemoMemberWithTokenAsync("file@example.com");
        var (_, envToken) = await app.CreateDemoMemberWithTokenAsync("env@example.com");
        var (_, flagToken) = await app.CreateDemoMemberWithTokenAsync("flag@example.com");
        Assert.Equal(0, (await app.RunCliAsync(["auth", "login"], Config(), standardInput: fileToken)).ExitCode);

        var fromFile = await app.RunCliAsync(["auth", "status"], Config());
        var fromEnvironment = await app.RunCliAsync(["auth", "status"], Config(("PFNSTUDIO_TOKEN", envToken)));
        var fromFlag = await app.RunCliAsync(["auth", "status", "--token", flagToken], Config(("PFNSTUDIO_TOKEN", envToken)));
        var json = await app.RunCliAsync(["auth", "status", "--json"], Config());

        Assert.Equal(0, fromFile.ExitCode);
        Assert.Equal(
            [
                "FIELD    VALUE",
                "server   https://localhost (from PFNSTUDIO_URL)",
                "user     file@example.com",
                $"token    {fileToken[..26]}… (cli file@example.com)",
                $"source   the config file {ConfigPath}",
                "expires  never",
            ],
            fromFile.OutLines);
        Assert.Contains("user     env@example.com", fromEnvironment.OutLines);
        Assert.Contains("source   PFNSTUDIO_TOKEN", fromEnvironment.OutLines);
        Assert.Contains("user     flag@example.com", fromFlag.OutLines);
        Assert.Contains("source   --token", fromFlag.OutLines);
        using var body = JsonDocument.Parse(json.Out);
        Assert.Equal("file", body.RootElement.GetProperty("tokenSource").GetString());
        Assert.Equal(fileToken[14..26], body.RootElement.GetProperty("tokenPrefix").GetString());
        foreach (var result in new[] { fromFile, fromEnvironment, fromFlag, json })
        {
            foreach (var secret in new[] { fileToken, envToken, flagToken })
            {
                Assert.DoesNotContain(secret, result.Out + result.Error, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task TheUrlComesFromTheFlagThenTheEnvironmentThenTheFileAndTheSavedTokenGoesOnlyToItsOwnServer()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("ada@example.com");
        Assert.Equal(0, (await app.RunCliAsync(["auth", "login", "--url", "https://localhost/"], Config(), standardInput: token)).ExitCode);
        var noUrlVariable = new Dictionary<string, string>(StringComparer.Ordinal) { ["XDG_CONFIG_HOME"] = _configHome };
        var sent = new List<Uri>();
        using var recording = new HttpClient(new RecordingHandler(app.Server.CreateHandler(), sent));

        var fromFile = await CliHarness.RunAsync(recording, ["auth", "status"], noUrlVariable, app.Clock);
        var otherServerByVariable = await CliHarness.RunAsync(recording, ["whoami"],
            new Dictionary<string, string>(noUrlVariable) { ["PFNSTUDIO_URL"] = "https://elsewhere.example.com" }, app.Clock);
        var otherServerByFlag = await CliHarness.RunAsync(recording, ["whoami", "--url", "https://elsewhere.example.com"],
            new Dictionary<string, string>(noUrlVariable) { ["PFNSTUDIO_URL"] = "https://localhost" }, app.Clock);

        Assert.True(fromFile.ExitCode == 0, fromFile.ToString());
        Assert.Contains("server   https://localhost (from the config file)", fromFile.OutLines);
        Assert.Equal(3, otherServerByVariable.ExitCode);
        Assert.Equal(
            ["no token for https://elsewhere.example.com: the saved login is for https://localhost; run 'pfnstudio auth login --url https://elsewhere.example.com', or set PFNSTUDIO_TOKEN"],
            otherServerByVariable.ErrorLines);
        // The flag wins over the variable, and the saved token is not sent there either.
        Assert.Equal(3, otherServerByFlag.ExitCode);
        Assert.All(sent, uri => Assert.Equal("localhost", uri.Host));
        Assert.Single(sent);
    }

    [Fact]
    public async Task LogoutRevokeRemovesTheFileAndRevokesTheSavedTokenThroughTheTokenApi()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("ada@example.com");
        Assert.Equal(0, (await app.RunCliAsync(["auth", "login"], Config(), standardInput: token)).ExitCode);

        var logout = await app.RunCliAsync(["auth", "logout", "--revoke"], Config());
        var again = await app.RunCliAsync(["auth", "logout"], Config());
        var whoami = await app.RunCliAsync(["whoami"], Config());

        Assert.True(logout.ExitCode == 0, logout.ToString());
        Assert.Empty(logout.ErrorLines);
        Assert.Equal([$"revoked {token[..26]}…", $"logged out of https://localhost: removed {ConfigPath}"], logout.OutLines);
        Assert.False(File.Exists(ConfigPath));
        Assert.Equal(0, again.ExitCode);
        Assert.Equal([$"not logged in: there is no saved login in {ConfigPath}"], again.OutLines);
        Assert.Equal(3, whoami.ExitCode);
        // The server has the token API (issue 15): the token itself is revoked, not only the saved copy.
        Assert.Equal(4, (await app.RunCliAsync(["whoami"], CliHarness.TokenEnvironment(token))).ExitCode);
    }

    [Fact]
    public async Task LogoutRevokeUsesTheTokenApiWhereTheServerHasOne()
    {
        const string Token = "pfnstudio_pat_AbC123xYz789SECRETsecretSECRETse";
        var requests = new List<string>();
        using var http = new HttpClient(new ScriptedHandler(request =>
        {
            requests.Add($"{request.Method} {request.RequestUri!.AbsolutePath} {request.Headers.Authorization}");
            return request.Method == HttpMethod.Get
                ? Json(HttpStatusCode.OK, """{"items":[{"id":"7","prefix":"Zzz111Zzz111"},{"id":"42","prefix":"AbC123xYz789"}]}""")
                : new HttpResponseMessage(HttpStatusCode.NoContent);
        }));
        Directory.CreateDirectory(Path.GetDirectoryName(ConfigPath)!);
        await File.WriteAllTextAsync(ConfigPath, $$"""{"url":"https://studio.example.com","token":"{{Token}}"}""", TestContext.Current.CancellationToken);

        var logout = await CliHarness.RunAsync(http, ["auth", "logout", "--revoke"], new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = _configHome });

        Assert.True(logout.ExitCode == 0, logout.ToString());
        Assert.Equal(["revoked pfnstudio_pat_AbC123xYz789…", "logged out of https://studio.example.com: removed " + ConfigPath], logout.OutLines);
        Assert.Equal([$"GET /api/v1/tokens Bearer {Token}", $"DELETE /api/v1/tokens/42 Bearer {Token}"], requests);
        Assert.False(File.Exists(ConfigPath));
    }

    [Fact]
    public async Task ABrokenConfigFileIsOneLineAndLogoutRemovesIt()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ConfigPath)!);
        await File.WriteAllTextAsync(ConfigPath, "{not json", TestContext.Current.CancellationToken);
        using var http = new HttpClient();
        var env = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = _configHome };

        var whoami = await CliHarness.RunAsync(http, ["whoami"], env);
        var logout = await CliHarness.RunAsync(http, ["auth", "logout"], env);

        Assert.Equal(2, whoami.ExitCode);
        Assert.Equal([$"the config file {ConfigPath} is not a saved login (url and token); run 'pfnstudio auth logout' to remove it, then 'pfnstudio auth login'"], whoami.ErrorLines);
        Assert.Equal(0, logout.ExitCode);
        Assert.False(File.Exists(ConfigPath));
    }

    [Fact]
    public void WithoutXdgConfigHomeTheFileIsUnderHomeDotConfig()
    {
        var home = Path.Combine(_configHome, "home");

        var config = PfnStudio.Cli.Configuration.ConfigFile.Locate(new Dictionary<string, string> { ["HOME"] = home, ["XDG_CONFIG_HOME"] = "relative/ignored" });

        Assert.Equal(Path.Combine(home, ".config", "pfnstudio", "config.json"), config!.Path);
        Assert.Null(PfnStudio.Cli.Configuration.ConfigFile.Locate(new Dictionary<string, string>()));
    }

    private Dictionary<string, string> Config(params (string Name, string Value)[] more)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["XDG_CONFIG_HOME"] = _configHome };
        foreach (var (name, value) in more)
        {
            env[name] = value;
        }

        return env;
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private sealed class RecordingHandler(HttpMessageHandler inner, List<Uri> sent) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            sent.Add(request.RequestUri!);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>Answers every request with what a function returns (no network).</summary>
internal sealed class ScriptedHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(answer(request));
}
