using System.Net;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.PersonalAccessTokens;

public sealed class ExpiryTests
{
    [Fact]
    public async Task ATokenWorksOneSecondBeforeItsExpiryAndGets401AtIt()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("expiry@example.com");
        var token = await app.IssueTokenAsync(user.Id, "thirty days", expiresInDays: 30);
        using var client = app.CreateClientWithToken(token);

        app.Clock.Advance(TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1));
        using var before = await client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        app.Clock.Advance(TimeSpan.FromSeconds(1));
        using var at = await client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, at.StatusCode);
        Assert.Equal(
            "Bearer realm=\"pfnstudio\", error=\"invalid_token\", error_description=\"The token expired at 2026-12-29T12:00:00Z.\"",
            at.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task ANeverExpiringTokenStillWorksYearsLater()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("forever@example.com");
        var token = await app.IssueTokenAsync(user.Id, "forever");

        app.Clock.Advance(TimeSpan.FromDays(365 * 20));
        using var response = await app.CreateClientWithToken(token).GetAsync("/api/v1/me");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("PfnStudio-Token-Expires"));
    }

    [Fact]
    public async Task AnExpiredTokenLeavesTheActiveTableForTheEndedList()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("ended@example.com");
        await browser.IssueOnPageAsync("short", "1");
        await browser.IssueOnPageAsync("long", "7");

        app.Clock.Advance(TimeSpan.FromDays(1));
        var page = await browser.GetAsync("/api-tokens");

        Assert.Equal(["long"], page.Texts("section.card table.tokens td.name"));
        Assert.Contains("expires in 6 days", page.Text("section.card table.tokens"));
        Assert.Equal(["short"], page.Texts("details.ended td.name"));
        Assert.Contains("Expired 2026-11-30", page.Text("details.ended"));

        // The name of an expired token is free again (a day after signing in, issuing asks for the password).
        var reused = await browser.SubmitAsync(page, "form.issue-form", new Dictionary<string, string>
        {
            ["Input.Name"] = "short",
            ["Input.ExpiresInDays"] = "1",
            ["Input.Password"] = TokensApplication.Password,
        });
        Assert.NotNull(reused.RevealedToken());
    }
}
