using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Pages;

/// <summary>
/// Regenerate and rename on <c>/api-tokens</c> (issue 15): regenerating mints a new secret under the same name and
/// access, revokes the old token in the same transaction, needs sudo mode like issuing and mints nothing when the
/// form is posted again; renaming follows the issue form's name rules. Both show under Recent activity.
/// </summary>
public sealed class RegenerateAndRenameTests
{
    [Fact]
    public async Task RegenerateRevealsANewTokenOnceAndTheOldOneStopsAtOnce()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("regen@example.com");
        var old = (await browser.IssueOnPageAsync("laptop", "30")).RevealedToken()!;
        app.Clock.Advance(TimeSpan.FromHours(1));

        var page = await browser.GetAsync("/api-tokens");
        Assert.Equal("Regenerate", page.Text("table.tokens details.row-action summary"));
        var regenerated = await browser.SubmitAsync(page, "form.regenerate-form", new Dictionary<string, string> { ["expiresInDays"] = "7" });

        var successor = regenerated.RevealedToken();
        Assert.NotNull(successor);
        Assert.NotEqual(old, successor);
        Assert.StartsWith("Token regenerated: the old one no longer works.", regenerated.Text("#reveal-title"));
        Assert.True(regenerated.Response.Headers.CacheControl?.NoStore);
        Assert.Equal("laptop", regenerated.Text("table.tokens tbody td.name"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClientWithToken(old).GetAsync("/api/v1/me")).StatusCode);
        using var me = await app.CreateClientWithToken(successor).GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(app.Clock.GetUtcNow().AddDays(7).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"), me.Headers.GetValues("PfnStudio-Token-Expires").Single());

        var rows = await app.WithDbAsync(db => db.PersonalAccessTokens.AsNoTracking().OrderBy(t => t.CreatedAt).ToListAsync());
        Assert.Equal(2, rows.Count);
        Assert.Equal(app.Clock.GetUtcNow(), rows[0].RevokedAt);
        Assert.Equal(rows[0].Id, rows[1].RotatedFromId);
        Assert.Equal(rows[0].Scopes, rows[1].Scopes);

        var activity = (await browser.GetAsync("/api-tokens")).Texts("table.activity tbody td.what");
        Assert.Contains(activity, a => a.StartsWith("Regenerated", StringComparison.Ordinal) && a.Contains("regenerated on the page, replacing pfnstudio_pat_", StringComparison.Ordinal));
        Assert.Contains(activity, a => a.StartsWith("Revoked", StringComparison.Ordinal) && a.Contains("revoked by regeneration on the page", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARepostedRegenerateFormMintsNothing()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("repost@example.com");
        await browser.IssueOnPageAsync("ci");
        var page = await browser.GetAsync("/api-tokens");
        var form = (AngleSharp.Html.Dom.IHtmlFormElement)page.Document.QuerySelector("form.regenerate-form")!;
        var fields = BrowserSession.FormFields(form);

        Assert.NotNull((await browser.PostAsync(page, form, fields)).RevealedToken());
        var again = await browser.PostAsync(page, form, fields);

        Assert.Null(again.RevealedToken());
        Assert.Contains("already submitted and its token regenerated", again.Text(".notice"));
        Assert.Equal(2, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
        Assert.Equal(1, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync(t => t.RevokedAt == null)));
    }

    [Theory]
    [InlineData("", "Enter your password: regenerating a token needs it when you signed in more than 2 hours ago.")]
    [InlineData("not the password", "That is not your password.")]
    public async Task AnOldSessionRegeneratesOnlyWithThePassword(string password, string message)
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("sudo-regen@example.com");
        var old = (await browser.IssueOnPageAsync("deploy")).RevealedToken()!;
        app.Clock.Advance(TimeSpan.FromHours(3));

        var page = await browser.GetAsync("/api-tokens");
        Assert.NotNull(page.Document.QuerySelector("form.regenerate-form input[name=password][type=password][autocomplete=current-password]"));
        var refused = await browser.SubmitAsync(page, "form.regenerate-form", new Dictionary<string, string> { ["expiresInDays"] = "9", ["password"] = password });
        Assert.Null(refused.RevealedToken());
        Assert.Equal(message, refused.Text("form.regenerate-form [id^=regenerate-password-error]"));
        Assert.NotNull(refused.Document.QuerySelector("details.row-action[open] form.regenerate-form"));
        Assert.Equal("9", refused.Document.QuerySelector("form.regenerate-form input[name=expiresInDays]")!.GetAttribute("value"));
        Assert.Equal(1, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClientWithToken(old).GetAsync("/api/v1/me")).StatusCode);

        var confirmed = await browser.SubmitAsync(refused, "form.regenerate-form", new Dictionary<string, string> { ["password"] = TokensApplication.Password });
        Assert.NotNull(confirmed.RevealedToken());
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClientWithToken(old).GetAsync("/api/v1/me")).StatusCode);
    }

    [Theory]
    [InlineData("0", "Expires in (days) must be a whole number from 1 to 3650")]
    [InlineData("1.5", "not a fraction")]
    public async Task ABadRegenerateExpiryIsAFieldMessageAndChangesNothing(string days, string message)
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("regen-expiry@example.com");
        await browser.IssueOnPageAsync("ci");
        var refused = await browser.SubmitAsync(await browser.GetAsync("/api-tokens"), "form.regenerate-form", new Dictionary<string, string> { ["expiresInDays"] = days });
        Assert.Null(refused.RevealedToken());
        Assert.Contains(message, refused.Text("form.regenerate-form [id^=regenerate-expiry-error]"));
        Assert.Equal(1, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync(t => t.RevokedAt == null)));
        Assert.Equal(1, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
    }

    [Fact]
    public async Task RegeneratingAnotherUsersTokenIdIsNotFoundAndChangesNothing()
    {
        await using var app = new TokensApplication();
        var bob = await app.CreateUserAsync("bob-regen@example.com");
        var bobs = await app.IssueTokenAsync(bob.Id, "bob");
        var bobsId = await app.WithDbAsync(db => db.PersonalAccessTokens.Select(t => t.Id).SingleAsync());
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("mallory@example.com");
        await browser.IssueOnPageAsync("mine");

        var answered = await browser.SubmitAsync(await browser.GetAsync("/api-tokens"), "form.regenerate-form", new Dictionary<string, string> { ["id"] = bobsId.ToString() });
        Assert.Null(answered.RevealedToken());
        Assert.StartsWith("Token not found.", answered.Text(".notice"));
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClientWithToken(bobs).GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(2, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
    }

    [Fact]
    public async Task RenameChangesTheNameInPlaceAndIsAudited()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("rename@example.com");
        var token = (await browser.IssueOnPageAsync("laptop")).RevealedToken()!;

        var renamed = await browser.SubmitAsync(await browser.GetAsync("/api-tokens"), "form.rename-form", new Dictionary<string, string> { ["name"] = "  work laptop " });
        Assert.Equal("Token \u201claptop\u201d renamed to \u201cwork laptop\u201d.", renamed.Text(".notice"));
        Assert.Equal("work laptop", renamed.Text("table.tokens tbody td.name"));
        Assert.Contains(renamed.Texts("table.activity tbody td.what"), a => a.StartsWith("Renamed", StringComparison.Ordinal) && a.Contains("renamed from \u201claptop\u201d", StringComparison.Ordinal));
        Assert.Equal("work laptop", (await (await app.CreateClientWithToken(token).GetAsync("/api/v1/me")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>())
            .GetProperty("token").GetProperty("name").GetString());
        Assert.Equal(1, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Kind == AuditEventKind.Renamed)));
    }

    [Theory]
    [InlineData("desk", "You already have an active token named \"desk\". Choose another name or revoke that one first.")]
    [InlineData("   ", "Enter a token name.")]
    [InlineData("bad\u0007name", "The token name")]
    public async Task RenameRefusesANameInUseOrABadNameWithTheIssueFormsMessage(string name, string message)
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("rename-bad@example.com");
        await browser.IssueOnPageAsync("desk");
        await browser.IssueOnPageAsync("laptop");

        var page = await browser.GetAsync("/api-tokens");
        var laptopForm = page.Document.QuerySelectorAll("form.rename-form")
            .Cast<AngleSharp.Html.Dom.IHtmlFormElement>()
            .Single(f => f.QuerySelector("input[name=name]")!.GetAttribute("value") == "laptop");
        var fields = BrowserSession.FormFields(laptopForm);
        fields.RemoveAll(f => f.Key == "name");
        fields.Add(new("name", name));
        var refused = await browser.PostAsync(page, laptopForm, fields);

        Assert.Equal(HttpStatusCode.OK, refused.Status);
        Assert.StartsWith(message, refused.Text("details.row-action[open] form.rename-form [id^=rename-name-error]"));
        Assert.Equal(["desk", "laptop"], await app.WithDbAsync(db => db.PersonalAccessTokens.OrderBy(t => t.Name).Select(t => t.Name).ToArrayAsync()));
        Assert.Equal(0, await app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Kind == AuditEventKind.Renamed)));
    }
}
