using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.Tests.Infrastructure;
using PfnStudio.Tokens.PersonalAccessTokens;

namespace PfnStudio.Tokens.Tests.Integration.Cli;

/// <summary>
/// <c>pfnstudio whoami</c> against the real host: where the token comes from, how it is cleaned, and the line
/// and exit code for each way it can fail. The token never appears in anything the CLI writes.
/// </summary>
public sealed class CliTokenTests
{
    [Fact]
    public async Task WhoamiWithTheTokenFromTheEnvironmentPrintsTheUserAndTheTokensPrefix()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("alice@example.com");

        var result = await app.RunCliAsync(["whoami"], CliHarness.TokenEnvironment(token));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Error);
        Assert.Equal(["FIELD         VALUE", "user          alice@example.com", "token         cli alice@example.com"], result.OutLines[..3]);
        Assert.Contains($"prefix        {token[..26]}…", result.OutLines);
        Assert.Contains("scopes        pat (full access)", result.OutLines);
        Assert.Contains("created       2026-11-29 12:00:00Z", result.OutLines);
        Assert.Contains("expires       never", result.OutLines);
        Assert.DoesNotContain(token, result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhoamiJsonPrintsTheServersBody()
    {
        await using var app = new TokensApplication();
        var (userId, token) = await app.CreateDemoMemberWithTokenAsync("json@example.com", expiresInDays: 30);

        var result = await app.RunCliAsync(["whoami", "--json"], CliHarness.TokenEnvironment(token));

        Assert.True(result.ExitCode == 0, result.ToString());
        using var body = JsonDocument.Parse(result.Out);
        Assert.Equal(userId, body.RootElement.GetProperty("user").GetProperty("id").GetString());
        Assert.Equal("json@example.com", body.RootElement.GetProperty("user").GetProperty("email").GetString());
        Assert.Equal(token[14..26], body.RootElement.GetProperty("token").GetProperty("prefix").GetString());
        Assert.Equal("2026-12-29T12:00:00+00:00", body.RootElement.GetProperty("token").GetProperty("expiresAt").GetString());
    }

    [Fact]
    public async Task TheTokenFlagBeatsTheEnvironment()
    {
        await using var app = new TokensApplication();
        var (_, alice) = await app.CreateDemoMemberWithTokenAsync("alice@example.com");
        var (_, bob) = await app.CreateDemoMemberWithTokenAsync("bob@example.com");

        var asAlice = await app.RunCliAsync(["whoami", "--token", alice], CliHarness.TokenEnvironment(bob));
        var refused = await app.RunCliAsync(["whoami", "--token", "pfnstudio_pat_" + new string('A', 32)], CliHarness.TokenEnvironment(bob));

        Assert.True(asAlice.ExitCode == 0, asAlice.ToString());
        Assert.Contains("user          alice@example.com", asAlice.OutLines);
        Assert.Equal(4, refused.ExitCode);
    }

    [Theory]
    [InlineData("  {0}  ")]
    [InlineData("{0}\r\n")]
    [InlineData("\t{0}\n")]
    [InlineData("\r\n {0} \r\n")]
    public async Task WhitespaceAndLineBreaksPastedAroundTheTokenAreTrimmed(string pasted)
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("paste@example.com");
        var value = string.Format(System.Globalization.CultureInfo.InvariantCulture, pasted, token);

        var fromEnvironment = await app.RunCliAsync(["whoami"], CliHarness.TokenEnvironment(value));
        var fromFlag = await app.RunCliAsync(["whoami", "--token", value]);

        Assert.True(fromEnvironment.ExitCode == 0, fromEnvironment.ToString());
        Assert.True(fromFlag.ExitCode == 0, fromFlag.ToString());
        Assert.Contains("user          paste@example.com", fromFlag.OutLines);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\r\n")]
    public async Task NoOrAnEmptyTokenPrintsTheNoTokenLineAndSendsNoRequest(string? environmentToken)
    {
        var environment = new Dictionary<string, string> { ["PFNSTUDIO_URL"] = "http://127.0.0.1:9" };
        if (environmentToken is not null)
        {
            environment["PFNSTUDIO_TOKEN"] = environmentToken;
        }

        var handler = new CountingHandler();
        using var http = new HttpClient(handler);
        var result = await CliHarness.RunAsync(http, ["whoami"], environment);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal(["no token: run 'pfnstudio auth login', set PFNSTUDIO_TOKEN or pass --token"], result.ErrorLines);
        Assert.Equal("", result.Out);
        Assert.Equal(0, handler.Requests);
    }

    [Fact]
    public async Task AnEmptyTokenFlagWinsOverTheEnvironmentAndSendsNoRequest()
    {
        var handler = new CountingHandler();
        using var http = new HttpClient(handler);
        var environment = new Dictionary<string, string>
        {
            ["PFNSTUDIO_URL"] = "http://127.0.0.1:9",
            ["PFNSTUDIO_TOKEN"] = "pfnstudio_pat_" + new string('A', 32),
        };

        var result = await CliHarness.RunAsync(http, ["whoami", "--token", ""], environment);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal(["no token: run 'pfnstudio auth login', set PFNSTUDIO_TOKEN or pass --token"], result.ErrorLines);
        Assert.Equal(0, handler.Requests);
    }

    [Fact]
    public async Task ATokenWithALineBreakInsideIsNotSentAndNotPrinted()
    {
        var handler = new CountingHandler();
        using var http = new HttpClient(handler);
        const string broken = "pfnstudio_pat_AAAAAAAAAAAAAAAA\nBBBBBBBBBBBBBBBB";

        var result = await CliHarness.RunAsync(http, ["whoami", "--token", broken], new Dictionary<string, string>());

        Assert.Equal(3, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.Contains("line break", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("BBBB", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, handler.Requests);
    }

    [Fact]
    public async Task AMalformedTokenIsSentAsItIsAndTheServerSaysWhy()
    {
        await using var app = new TokensApplication();

        var result = await app.RunCliAsync(["whoami", "--token", "ghp_not-a-pfnstudio-token"]);

        Assert.Equal(4, result.ExitCode);
        Assert.Equal(
            ["token refused (401): The token is not a well-formed PFN Studio personal access token. Issue a new token at https://localhost/api-tokens"],
            result.ErrorLines);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task ARevokedTokenGetsTheServersReasonAndWhereToIssueANewOne()
    {
        await using var app = new TokensApplication();
        var (userId, token) = await app.CreateDemoMemberWithTokenAsync("revoked@example.com");
        using (var scope = app.Services.CreateScope())
        {
            var tokenId = await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.UserId == userId).Select(t => t.Id).SingleAsync());
            Assert.NotNull(await scope.ServiceProvider.GetRequiredService<PersonalAccessTokenService>().RevokeAsync(userId, tokenId));
        }

        var result = await app.RunCliAsync(["whoami"], CliHarness.TokenEnvironment(token));

        Assert.Equal(4, result.ExitCode);
        Assert.Equal(
            ["token refused (401): The token is unknown or has been revoked. Issue a new token at https://localhost/api-tokens"],
            result.ErrorLines);
        Assert.DoesNotContain(token, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExpiredTokenGetsTheExpiryInstantAndWhereToIssueANewOne()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("expired@example.com", expiresInDays: 30);
        app.Clock.Advance(TimeSpan.FromDays(30));

        var result = await app.RunCliAsync(["whoami"], CliHarness.TokenEnvironment(token));

        Assert.Equal(4, result.ExitCode);
        Assert.Equal(
            ["token refused (401): The token expired at 2026-12-29T12:00:00Z. Issue a new token at https://localhost/api-tokens"],
            result.ErrorLines);
    }

    [Fact]
    public async Task ATokenThatExpiresWithinSevenDaysGetsOneWarningLine()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("soon@example.com", expiresInDays: 30);

        app.Clock.Advance(TimeSpan.FromDays(22) + TimeSpan.FromHours(23));
        var eightDaysLeft = await app.RunCliAsync(["whoami"], CliHarness.TokenEnvironment(token));
        app.Clock.Advance(TimeSpan.FromHours(2));
        var underSevenDaysLeft = await app.RunCliAsync(["whoami"], CliHarness.TokenEnvironment(token));
        app.Clock.Advance(TimeSpan.FromDays(6) + TimeSpan.FromHours(22) + TimeSpan.FromMinutes(1));
        var lastHour = await app.RunCliAsync(["whoami", "--json"], CliHarness.TokenEnvironment(token));

        Assert.True(eightDaysLeft.ExitCode == 0, eightDaysLeft.ToString());
        Assert.Equal("", eightDaysLeft.Error);
        Assert.True(underSevenDaysLeft.ExitCode == 0, underSevenDaysLeft.ToString());
        Assert.Equal(
            [$"warning: this token {token[..26]}… expires at 2026-12-29T12:00:00Z (in 6 days 23 hours); issue a new one at https://localhost/api-tokens"],
            underSevenDaysLeft.ErrorLines);
        Assert.Equal(
            [$"warning: this token {token[..26]}… expires at 2026-12-29T12:00:00Z (in 59 minutes); issue a new one at https://localhost/api-tokens"],
            lastHour.ErrorLines);
        // The warning goes to standard error only: --json output stays parseable.
        using var _ = JsonDocument.Parse(lastHour.Out);
    }

    [Fact]
    public async Task AnUnreachableServerNamesTheUrl()
    {
        var port = ClosedLoopbackPort();
        using var http = new HttpClient();

        var result = await CliHarness.RunAsync(
            http, ["whoami", "--url", $"http://127.0.0.1:{port}"], CliHarness.TokenEnvironment("pfnstudio_pat_" + new string('A', 32)));

        Assert.Equal(8, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"could not reach http://127.0.0.1:{port} (", line, StringComparison.Ordinal);
        Assert.DoesNotContain("AAAAAAAA", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheUrlComesFromTheFlagThenTheEnvironment()
    {
        var port = ClosedLoopbackPort();
        using var http = new HttpClient();
        var environment = new Dictionary<string, string>
        {
            ["PFNSTUDIO_TOKEN"] = "pfnstudio_pat_" + new string('A', 32),
            ["PFNSTUDIO_URL"] = $"http://127.0.0.1:{port}/",
        };

        var fromEnvironment = await CliHarness.RunAsync(http, ["whoami"], environment);
        var fromFlag = await CliHarness.RunAsync(http, ["whoami", "--url", "http://127.0.0.1:9"], environment);
        var notAUrl = await CliHarness.RunAsync(http, ["whoami", "--url", "localhost:5000"], environment);

        Assert.StartsWith($"could not reach http://127.0.0.1:{port} (", fromEnvironment.Error, StringComparison.Ordinal);
        Assert.StartsWith("could not reach http://127.0.0.1:9 (", fromFlag.Error, StringComparison.Ordinal);
        Assert.Equal(2, notAUrl.ExitCode);
        Assert.Equal(["--url is not an http(s) URL: localhost:5000"], notAUrl.ErrorLines);
    }

    [Fact]
    public async Task WhoamiWorksOverARealSocketAgainstKestrel()
    {
        await using var app = new TokensApplication();
        app.UseKestrel(0);
        app.StartServer();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("kestrel@example.com");
        using var http = new HttpClient();
        var url = app.ClientOptions.BaseAddress.AbsoluteUri;
        Assert.NotEqual(80, app.ClientOptions.BaseAddress.Port);

        var result = await CliHarness.RunAsync(http, ["whoami", "--url", url], CliHarness.TokenEnvironment(token + "\r\n"), app.Clock);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("user          kestrel@example.com", result.OutLines);
    }

    private static int ClosedLoopbackPort()
    {
        // Bind to an ephemeral port, then free it: nothing listens there while the test runs.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private sealed class CountingHandler : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
