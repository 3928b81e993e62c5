using System.Net;
using System.Net.Http.Headers;
using System.Text;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Cli;

/// <summary>
/// Answers the real host does not give on demand (403, 429, 503, 500, a foreign body, a server that echoes the
/// token), from a scripted handler: each is one line on standard error with its documented exit code.
/// </summary>
public sealed class CliErrorMappingTests
{
    private const string Token = "pfnstudio_pat_AbC123xYz789SECRETsecretSECRETsec";

    [Fact]
    public async Task A403ShowsTheChallengesDescriptionAndExitsWithFive()
    {
        var result = await RunAgainstAsync(() =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.Forbidden);
            response.Headers.WwwAuthenticate.ParseAdd("Bearer realm=\"pfnstudio\", error=\"insufficient_scope\", error_description=\"The token does not have the scope this route needs.\"");
            return response;
        }, "priors", "list", "-p", "pfnstudio-demo");

        Assert.Equal(5, result.ExitCode);
        Assert.Equal(["forbidden (403): The token does not have the scope this route needs."], result.ErrorLines);
    }

    [Theory]
    [InlineData("Bearer realm=\"pfnstudio\", error=\"insufficient_scope\", error_description=\"This route needs the push permission; this token has read.\", scope=\"push\"", "push")]
    [InlineData("Bearer error=\"insufficient_scope\",scope=predict", "predict")]
    [InlineData("bearer Scope=\"read\", ERROR=\"insufficient_scope\"", "read")]
    [InlineData("Bearer error=\"insufficient_scope\", error_description=\"a \\\"quoted\\\", scope=\\\"x\\\" inside\", scope=\"push\"", "push")]
    public async Task A403NamingTheMissingPermissionSaysWhereToIssueATokenWithItAndExitsWithFive(string challenge, string permission)
    {
        var result = await RunAgainstAsync(() =>
        {
            var response = Problem(HttpStatusCode.Forbidden, """{"status":403,"detail":"The server's own sentence."}""");
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", challenge);
            return response;
        }, "runs", "list", "-p", "pfnstudio-demo", "--url", "https://studio.example.com/base");

        Assert.Equal(5, result.ExitCode);
        Assert.Equal([$"error: this token may not {permission}: issue one with the {permission} permission at https://studio.example.com/base/api-tokens"], result.ErrorLines);
        Assert.Equal("", result.Out);
    }

    [Theory]
    [InlineData("Bearer realm=\"pfnstudio\", error=\"insufficient_scope\", error_description=\"This token is limited to other projects.\"")]
    [InlineData("Bearer error=\"insufficient_scope\", scope=\"read push\"")]
    [InlineData("Bearer error=\"insufficient_scope\", scope=\"pu\\\"sh\"")]
    [InlineData("Bearer error=\"insufficient_scope\", scope=\"\"")]
    [InlineData("Bearer error=\"insufficient_scope\", scope=\"push\", scope=\"admin\"")]
    [InlineData("Bearer error=\"insufficient_scope\", scope=\"push")]
    [InlineData("Bearer error=\"insufficient_scope\", xscope=\"push\"")]
    [InlineData("Bearer error=\"insufficient_scope\", error_description=\"needs scope=\\\"push\\\"\"")]
    [InlineData("Bearer error=\"invalid_token\", scope=\"push\"")]
    [InlineData("Basic error=\"insufficient_scope\", scope=\"push\"")]
    [InlineData("Bearer error=\"insufficient_scope\", scope=\"p\u00fcsh\"")]
    public async Task Any403ThatDoesNotNameOnePermissionKeepsTheServersSentence(string challenge)
    {
        var result = await RunAgainstAsync(() =>
        {
            var response = Problem(HttpStatusCode.Forbidden, """{"status":403,"detail":"The server's own sentence."}""");
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", challenge);
            return response;
        }, "priors", "list", "-p", "pfnstudio-demo");

        Assert.Equal(5, result.ExitCode);
        Assert.Equal(["forbidden (403): The server's own sentence."], result.ErrorLines);
    }

    [Fact]
    public async Task WhoamiReadsAnOlderServersBodyWithoutAccessAsFullAccess()
    {
        var result = await RunAgainstAsync(() => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(
                """{"user":{"id":"u1","email":"ada@example.com"},"token":{"name":"ci","prefix":"AbC123xYz789","scopes":["pat"],"createdAt":"2026-11-29T12:00:00Z","expiresAt":null}}""",
                Encoding.UTF8, "application/json"),
        }, "whoami");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            ["scopes        pat (full access)", "access        full", "organization  —", "projects      —"],
            result.OutLines[4..8]);
    }

    [Fact]
    public async Task A429OrA503SaysWhenToRetryAndExitsWithNine()
    {
        var result = await RunAgainstAsync(() =>
        {
            var response = Problem(HttpStatusCode.ServiceUnavailable, """{"title":"Service unavailable","detail":"The token store is unavailable; retry shortly."}""");
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(5));
            return response;
        }, "whoami");

        Assert.Equal(9, result.ExitCode);
        Assert.Equal(["server busy (503): The token store is unavailable; retry shortly. Retry in 5 s."], result.ErrorLines);
    }

    [Fact]
    public async Task AnHttpsRedirectIsReportedWithTheUrlToUseAndNotFollowed()
    {
        var requests = 0;
        using var http = new HttpClient(new ScriptedHandler(request =>
        {
            requests++;
            var response = new HttpResponseMessage(HttpStatusCode.TemporaryRedirect);
            response.Headers.Location = new Uri("https://studio.example.com" + request.RequestUri!.PathAndQuery);
            return response;
        }));

        var result = await CliHarness.RunAsync(http, ["whoami", "--url", "http://studio.example.com/base"], CliHarness.TokenEnvironment(Token));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            ["the server at http://studio.example.com/base redirects to https://studio.example.com (307): use --url https://studio.example.com/base (or set PFNSTUDIO_URL)"],
            result.ErrorLines);
        Assert.Equal(1, requests);
    }

    [Fact]
    public async Task A500ExitsWithOneAndNamesTheRoute()
    {
        var result = await RunAgainstAsync(() => Problem(HttpStatusCode.InternalServerError, """{"title":"An error occurred while processing your request."}"""), "whoami");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["server error (500) from /api/v1/me: An error occurred while processing your request."], result.ErrorLines);
    }

    [Fact]
    public async Task ASuccessBodyOfTheWrongShapeExitsWithOne()
    {
        var result = await RunAgainstAsync(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<html>a proxy page</html>") }, "whoami");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            ["the server's answer from /api/v1/me is text/plain, not JSON: is http://localhost:5000 a PFN Studio server? (a proxy or a network login page may be in the way)"],
            result.ErrorLines);
    }

    [Fact]
    public async Task AServerThatEchoesTheTokenDoesNotGetItPrinted()
    {
        var result = await RunAgainstAsync(
            () => Problem(HttpStatusCode.BadRequest, $$"""{"title":"Bad","detail":"Token {{Token}} is\nnot accepted here."}"""), "whoami");

        Assert.Equal(7, result.ExitCode);
        Assert.Equal(["refused (400): Token [token] is not accepted here."], result.ErrorLines);
    }

    [Fact]
    public async Task TheTokenGoesOnlyInTheAuthorizationHeaderTrimmedAndAsItIs()
    {
        HttpRequestMessage? seen = null;
        var handler = new ScriptedHandler(request =>
        {
            seen = request;
            return new HttpResponseMessage(HttpStatusCode.Unauthorized);
        });
        using var http = new HttpClient(handler);

        var result = await CliHarness.RunAsync(http, ["runs", "list", "-p", "pfnstudio-demo", "--limit", "3"],
            new Dictionary<string, string> { ["PFNSTUDIO_TOKEN"] = " \tnot a valid token at all\r\n", ["PFNSTUDIO_URL"] = "https://studio.example.com/base/" });

        Assert.Equal(4, result.ExitCode);
        Assert.Equal(["token refused (401): the server refused the token. Issue a new token at https://studio.example.com/base/api-tokens"], result.ErrorLines);
        Assert.Equal("Bearer not a valid token at all", Assert.Single(seen!.Headers.GetValues("Authorization")));
        Assert.Equal("https://studio.example.com/base/api/v1/projects/pfnstudio-demo/runs?limit=3", seen.RequestUri!.AbsoluteUri);
    }

    private static HttpResponseMessage Problem(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/problem+json") };

    private static async Task<CliResult> RunAgainstAsync(Func<HttpResponseMessage> answer, params string[] args)
    {
        using var http = new HttpClient(new ScriptedHandler(_ => answer()));
        var result = await CliHarness.RunAsync(http, args, CliHarness.TokenEnvironment(Token));
        Assert.DoesNotContain(Token, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, result.Out, StringComparison.Ordinal);
        return result;
    }
}
