using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Pages;

public sealed class PageFlowTests
{
    [Fact]
    public async Task NewUserIssuesUsesAndRevokesATokenThroughThePages()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();

        var home = await browser.SignUpAsync("ada.lovelace@example.com");
        Assert.Equal(HttpStatusCode.OK, home.Status);
        Assert.Equal("AL", home.Text("summary.avatar"));
        var menuLink = home.Document.QuerySelector(".avatar-menu a[href='/api-tokens']");
        Assert.Equal("API tokens", menuLink?.TextContent);
        Assert.Contains("Sign out", home.Texts(".avatar-menu button"));

        var issued = await browser.IssueOnPageAsync("laptop", "30");
        Assert.Equal(HttpStatusCode.OK, issued.Status);
        Assert.True(issued.Response.Headers.CacheControl?.NoStore);
        Assert.Contains("Token issued. Keep it secret, you can't retrieve it again.", issued.Text(".reveal"));
        var token = issued.RevealedToken();
        Assert.Matches("^pfnstudio_pat_[0-9A-Za-z]{38}$", token);
        Assert.True(PfnStudio.Tokens.PersonalAccessTokens.PersonalAccessTokenFormat.HasValidChecksum(token));
        Assert.Contains("Copy", issued.Texts(".reveal button"));
        Assert.Contains("Copy as export PFNSTUDIO_TOKEN=…", issued.Texts(".reveal button"));

        var row = issued.Document.QuerySelectorAll("table.tokens tbody tr").Single();
        var cells = row.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal("laptop", cells[0]);
        Assert.Equal($"{token![..26]}…", cells[1]);
        Assert.Equal("pat (full access)", cells[2]);
        Assert.StartsWith("2026-12-29", cells[3]);
        Assert.Equal("2026-11-29", cells[4]);

        using var api = app.CreateClientWithToken(token);
        using var me = await api.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        using var body = JsonDocument.Parse(await me.Content.ReadAsStringAsync());
        Assert.Equal("ada.lovelace@example.com", body.RootElement.GetProperty("user").GetProperty("email").GetString());
        Assert.Equal("laptop", body.RootElement.GetProperty("token").GetProperty("name").GetString());
        Assert.Equal(token[14..26], body.RootElement.GetProperty("token").GetProperty("prefix").GetString());
        Assert.Equal("pat", body.RootElement.GetProperty("token").GetProperty("scopes")[0].GetString());
        Assert.Equal("2026-12-29T12:00:00Z", me.Headers.GetValues("PfnStudio-Token-Expires").Single());

        var list = await browser.GetAsync("/api-tokens");
        var revoked = await browser.SubmitAsync(list, "table.tokens form");
        Assert.Contains("Token “laptop” revoked.", revoked.Text("p.notice"));
        Assert.Empty(revoked.Document.QuerySelectorAll("section.card table.tokens tbody tr"));
        Assert.Contains("laptop", revoked.Text("details.ended"));
        Assert.Contains("Revoked 2026-11-29", revoked.Text("details.ended"));

        using var after = await api.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal(
            "Bearer realm=\"pfnstudio\", error=\"invalid_token\", error_description=\"The token is unknown or has been revoked.\"",
            after.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task ThePlaintextIsShownOnceAndAReloadMintsNothing()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("grace@example.com");

        var form = await browser.GetAsync("/api-tokens");
        var fields = new Dictionary<string, string> { ["Input.Name"] = "ci", ["Input.ExpiresInDays"] = "" };
        var first = await browser.SubmitAsync(form, "form.issue-form", fields);
        Assert.NotNull(first.RevealedToken());

        // The browser re-posts the same form (reload, back/forward): no second token, no plaintext.
        var again = await browser.SubmitAsync(form, "form.issue-form", fields);
        Assert.Null(again.RevealedToken());
        Assert.Contains("already submitted", again.Text("p.notice"));
        Assert.Single(again.Document.QuerySelectorAll("table.tokens tbody tr"));

        var reload = await browser.GetAsync("/api-tokens");
        Assert.Null(reload.RevealedToken());
        Assert.DoesNotContain(first.RevealedToken()!, reload.Html, StringComparison.Ordinal);
        Assert.True(reload.Response.Headers.CacheControl?.NoStore);
        Assert.Equal(1, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
    }

    [Fact]
    public async Task ASignedOutVisitGoesToSignInAndComesBack()
    {
        await using var app = new TokensApplication();
        await app.CreateUserAsync("alan@example.com");
        using var browser = app.CreateBrowser();

        var signIn = await browser.GetAsync("/api-tokens");
        Assert.Equal("/account/sign-in", signIn.Url.AbsolutePath);
        Assert.Equal("Sign in", signIn.Text("h1"));
        Assert.NotNull(signIn.Document.QuerySelector("a[href^='/account/sign-up']"));

        var back = await browser.SubmitAsync(signIn, "main form", new Dictionary<string, string>
        {
            ["Input.Email"] = "alan@example.com",
            ["Input.Password"] = TokensApplication.Password,
        });
        Assert.Equal("/api-tokens", back.Url.AbsolutePath);
        Assert.Equal("API tokens", back.Text("h1"));
        Assert.Contains("No tokens yet", back.Text("p.empty"));
    }

    [Fact]
    public async Task SignInRefusesAWrongPasswordWithOneMessageAndNeverLocksTheAccount()
    {
        await using var app = new TokensApplication();
        await app.CreateUserAsync("linus@example.com");
        using var browser = app.CreateBrowser();

        BrowserSession.Page page = await browser.GetAsync("/account/sign-in");
        for (var attempt = 1; attempt <= 6; attempt++)
        {
            page = await browser.SubmitAsync(page, "main form", new Dictionary<string, string>
            {
                ["Input.Email"] = "linus@example.com",
                ["Input.Password"] = "wrong password " + attempt,
            });
            Assert.Equal("/account/sign-in", page.Url.AbsolutePath);
            Assert.Equal("Invalid email or password.", page.Text(".error-summary"));
        }

        var unknown = await browser.SubmitAsync(page, "main form", new Dictionary<string, string>
        {
            ["Input.Email"] = "nobody@example.com",
            ["Input.Password"] = "whatever password",
        });
        Assert.Equal("Invalid email or password.", unknown.Text(".error-summary"));

        // Past Identity's old lockout threshold, the right password still gets in (wrong ones are throttled, not locked).
        var signedIn = await browser.SubmitAsync(unknown, "main form", new Dictionary<string, string>
        {
            ["Input.Email"] = "linus@example.com",
            ["Input.Password"] = TokensApplication.Password,
        });
        Assert.Equal("L", signedIn.Text("summary.avatar"));
    }

    [Fact]
    public async Task SignUpShowsMessagesBesideTheFields()
    {
        await using var app = new TokensApplication();
        await app.CreateUserAsync("taken@example.com");
        using var browser = app.CreateBrowser();

        var page = await browser.GetAsync("/account/sign-up");
        Assert.Equal("Email", page.Text("label[for='Input_Email']"));
        Assert.Equal("Password", page.Text("label[for='Input_Password']"));
        Assert.Equal("Confirm password", page.Text("label[for='Input_ConfirmPassword']"));

        var mismatch = await browser.SubmitAsync(page, "main form", new Dictionary<string, string>
        {
            ["Input.Email"] = "new@example.com",
            ["Input.Password"] = "long enough password",
            ["Input.ConfirmPassword"] = "another long password",
        });
        Assert.Contains("The passwords do not match.", mismatch.Text("[data-valmsg-for='Input.ConfirmPassword']"));

        var duplicate = await browser.SubmitAsync(page, "main form", new Dictionary<string, string>
        {
            ["Input.Email"] = "taken@example.com",
            ["Input.Password"] = "long enough password",
            ["Input.ConfirmPassword"] = "long enough password",
        });
        Assert.Contains("already exists", duplicate.Text("[data-valmsg-for='Input.Email']"));
        Assert.Equal(1, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task ApiRoutesNeverRedirectToSignInEvenWithASessionCookie()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser(followRedirects: false);
        await browser.SignUpAsync("cookie@example.com");

        using var response = await browser.Client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer realm=\"pfnstudio\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task HealthReportsTheDatabase()
    {
        await using var app = new TokensApplication();
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }
}
