using System.Net;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.MultiHost;

/// <summary>
/// Two hosts on one store, as behind a load balancer (SQLite file here; one PostgreSQL database in the
/// PostgreSQL run). A host keeps no token state that could outlive a revoke: its memory only skips Argon2 for a
/// token it verified, and every request reads the token's row, so a revoke on one host is refused by the
/// other on its very next request.
/// </summary>
public sealed class TwoHostTests
{
    [Fact]
    public async Task ATokenIssuedOnHostAWorksOnHostBAndARevokeOnAIsRefusedByBOnItsNextRequest()
    {
        await using var a = new TokensApplication();
        await using var b = new TokensApplication(a);
        using var onA = a.CreateBrowser();
        await onA.SignUpAsync("two-hosts@example.com");
        var token = (await onA.IssueOnPageAsync("laptop", "30")).RevealedToken()!;

        using var apiOnB = b.CreateClientWithToken(token);
        for (var i = 0; i < 3; i++)
        {
            using var ok = await apiOnB.GetAsync("/api/v1/me");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode); // B has now verified it and remembers that
        }

        var revoked = await onA.SubmitAsync(await onA.GetAsync("/api-tokens"), "table.tokens form");
        Assert.Contains("revoked", revoked.Text("p.notice"));

        using var refused = await apiOnB.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("error=\"invalid_token\"", refused.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task ASignInCookieAndAntiforgeryTokenMadeByHostAAreAcceptedByHostB()
    {
        await using var a = new TokensApplication();
        await using var b = new TokensApplication(a);
        var cookies = new CookieContainer(); // one browser, two hosts behind one name
        using var onA = new BrowserSession(a.CreateDefaultClient(a.ClientOptions.BaseAddress, new RedirectHandler(), new CookieContainerHandler(cookies)));
        using var onB = new BrowserSession(b.CreateDefaultClient(b.ClientOptions.BaseAddress, new RedirectHandler(), new CookieContainerHandler(cookies)));

        await onA.SignUpAsync("cookie-across@example.com");
        var formFromA = await onA.GetAsync("/api-tokens");
        Assert.Equal("API tokens", formFromA.Text("h1"));

        var issuedOnB = await onB.SubmitAsync(formFromA, "form.issue-form", new Dictionary<string, string>
        {
            ["Input.Name"] = "issued on B",
            ["Input.ExpiresInDays"] = "7",
        });

        Assert.Equal(HttpStatusCode.OK, issuedOnB.Status);
        var token = issuedOnB.RevealedToken();
        Assert.NotNull(token);
        using var me = await a.CreateClientWithToken(token).GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }
}
