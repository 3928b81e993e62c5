using System.Net;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.PersonalAccessTokens;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Audit;

public sealed class AuditTrailTests
{
    private const string Activity = "details.activity";

    [Fact]
    public async Task IssuingAndRevokingOnThePageWriteRowsAndShowUnderRecentActivityNewestFirst()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("ada@example.com");
        var empty = await browser.GetAsync("/api-tokens");
        Assert.Equal("Recent activity", empty.Text($"{Activity} summary"));
        Assert.Contains("No token activity yet.", empty.Text($"{Activity} p.empty"), StringComparison.Ordinal);

        var issued = await browser.IssueOnPageAsync("laptop", "30");
        var prefix = issued.RevealedToken()![14..26];
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var revoked = await browser.SubmitAsync(await browser.GetAsync("/api-tokens"), "table.tokens form");
        Assert.Equal(HttpStatusCode.OK, revoked.Status);

        var rows = await EventsAsync(app);
        Assert.Equal([AuditEventKind.Issued, AuditEventKind.Revoked], rows.Select(e => e.Kind));
        Assert.All(rows, e => Assert.Equal(prefix, e.TokenPrefix));
        Assert.All(rows, e => Assert.Null(e.ClientAddress));
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero), rows[0].OccurredAt);
        Assert.Equal("revoked on the page", rows[1].Detail);
        var token = await app.WithDbAsync(db => db.PersonalAccessTokens.SingleAsync());
        Assert.All(rows, e => Assert.Equal(token.Id, e.TokenId));
        Assert.Equal(token.RevokedAt, rows[1].OccurredAt);

        Assert.Equal("Recent activity (2)", revoked.Text($"{Activity} summary"));
        Assert.Equal(["When (UTC)", "What", "Token", "Scopes", "Client address"], revoked.Texts($"{Activity} th"));
        Assert.Equal(["2026-11-29 12:05:00", "2026-11-29 12:00:00"], revoked.Texts($"{Activity} tbody td[data-label='When (UTC)']"));
        Assert.Equal(["Revoked — revoked on the page", "Issued — issued, pat (full access), expires in 30 days"], revoked.Texts($"{Activity} td.what"));
        Assert.All(revoked.Texts($"{Activity} td.name"), t => Assert.Equal($"laptop pfnstudio_pat_{prefix}…", t));
        Assert.Equal(["—", "—"], revoked.Texts($"{Activity} td.client"));

        // The active tokens table is unchanged: no extra columns, and the activity rows are not token rows.
        Assert.Empty(revoked.Texts("table.tokens td.last-used"));
    }

    [Fact]
    public async Task AWrongSecretForAStoredPrefixWritesOneRowPerMinuteWithTheClientAddressAndAnUnknownPrefixNone()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "laptop");
        using var attacker = app.CreateClient();
        attacker.DefaultRequestHeaders.Add(TestClientAddress.Header, "2001:db8::66");

        for (var seed = 1; seed <= 3; seed++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(attacker, token.WithWrongSecret(seed)));
        }

        // Same shape, a prefix no token has: never recorded.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(attacker, PersonalAccessTokenFormat.WithChecksum("pfnstudio_pat_ZZZZZZZZZZZZ" + token[26..46])));
        Assert.Empty(await EventsAsync(app, AuditEventKind.FailedUse));

        var firstAt = app.Clock.GetUtcNow();
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await HotPathExtensions.EventuallyAsync(async () => (await EventsAsync(app, AuditEventKind.FailedUse)).Count > 0, "the audit batch");
        var first = Assert.Single(await EventsAsync(app, AuditEventKind.FailedUse));
        Assert.Equal("2001:db8::66", first.ClientAddress);
        Assert.Equal(token[14..26], first.TokenPrefix);
        Assert.Equal(user.Id, first.UserId);
        Assert.Equal(firstAt, first.OccurredAt);
        Assert.Equal("wrong secret", first.Detail);

        // The next window gets its own row.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(attacker, token.WithWrongSecret(4)));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(attacker, token.WithWrongSecret(5)));
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await HotPathExtensions.EventuallyAsync(async () => (await EventsAsync(app, AuditEventKind.FailedUse)).Count > 1, "the second audit batch");
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Equal(2, (await EventsAsync(app, AuditEventKind.FailedUse)).Count);

        // The owner sees it on the page.
        using var browser = app.CreateBrowser();
        await SignInAsync(browser, "ada@example.com");
        var page = await browser.GetAsync("/api-tokens");
        Assert.Equal(["Failed use — wrong secret", "Failed use — wrong secret", "Issued — issued, pat (full access), never expires"], page.Texts($"{Activity} td.what"));
        Assert.Equal(["2001:db8::66", "2001:db8::66", "—"], page.Texts($"{Activity} td.client"));
    }

    [Fact]
    public async Task AnExpiredTokensUseWritesOneRowPerMinuteWithTheClientAddress()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "ci", expiresInDays: 1);
        using var client = app.CreateClientWithToken(token);
        client.DefaultRequestHeaders.Add(TestClientAddress.Header, "198.51.100.7");
        using (var ok = await client.GetAsync("/api/v1/me"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        app.Clock.Advance(TimeSpan.FromDays(1));
        var expiredAt = app.Clock.GetUtcNow();
        for (var i = 0; i < 3; i++)
        {
            using var refused = await client.GetAsync("/api/v1/me");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await HotPathExtensions.EventuallyAsync(async () => (await EventsAsync(app, AuditEventKind.ExpiredUse)).Count > 0, "the audit batch");
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await Task.Delay(200, TestContext.Current.CancellationToken);
        var row = Assert.Single(await EventsAsync(app, AuditEventKind.ExpiredUse));
        Assert.Equal("198.51.100.7", row.ClientAddress);
        Assert.Equal(expiredAt, row.OccurredAt);
        Assert.Equal(token[14..26], row.TokenPrefix);
        Assert.Empty(await EventsAsync(app, AuditEventKind.FailedUse));
    }

    [Fact]
    public async Task AnotherUsersEventsNeverShowOnMyPage()
    {
        await using var app = new TokensApplication();
        using var ada = app.CreateBrowser();
        await ada.SignUpAsync("ada@example.com");
        await ada.IssueOnPageAsync("ada-laptop");
        using var bob = app.CreateBrowser();
        await bob.SignUpAsync("bob@example.com");
        var bobsToken = (await bob.IssueOnPageAsync("bob-ci")).RevealedToken()!;
        await bob.SubmitAsync(await bob.GetAsync("/api-tokens"), "table.tokens form");
        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(bobsToken.WithWrongSecret(1)));
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await HotPathExtensions.EventuallyAsync(async () => (await EventsAsync(app, AuditEventKind.FailedUse)).Count > 0, "the audit batch");

        var mine = await ada.GetAsync("/api-tokens");
        Assert.Equal(["Issued — issued, pat (full access), never expires"], mine.Texts($"{Activity} td.what"));
        Assert.DoesNotContain("bob-ci", mine.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(bobsToken[14..26], mine.Html, StringComparison.Ordinal);
        var theirs = await bob.GetAsync("/api-tokens");
        Assert.Equal(3, theirs.Texts($"{Activity} tbody tr").Count);
    }

    [Fact]
    public async Task RemovalFromAnOrganizationAndTheOperatorRevokeEachWriteARevokedRowSayingWhy()
    {
        await using var app = new TokensApplication();
        var (owner, _) = await app.CreateMemberWithTokenAsync("owner@example.com", "acme", OrganizationRole.Owner);
        var (leaver, _) = await app.CreateMemberWithTokenAsync("leaver@example.com", "acme", OrganizationRole.Member);
        await app.IssueTokenAsync(leaver.Id, "second laptop");

        var removed = await app.WithMembershipsAsync(o => o.RemoveMemberAsync("acme", owner.Id, leaver.Id));
        Assert.True(removed.Succeeded, removed.Message);

        var revoked = (await EventsAsync(app, AuditEventKind.Revoked)).Where(e => e.UserId == leaver.Id).ToList();
        Assert.Equal(2, revoked.Count);
        Assert.All(revoked, e => Assert.Equal("revoked by removal from organization acme", e.Detail));
        var tokenIds = await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.UserId == leaver.Id).Select(t => (Guid?)t.Id).ToListAsync());
        Assert.Equal(tokenIds.Order(), revoked.Select(e => e.TokenId).Order());
        Assert.DoesNotContain(await EventsAsync(app, AuditEventKind.Revoked), e => e.UserId == owner.Id);
    }

    [Fact]
    public async Task AnAdministratorsRevokeAndTheOperatorsRevokeEachSayWhoRevoked()
    {
        await using var app = new TokensApplication();
        var (owner, _) = await app.CreateMemberWithTokenAsync("owner@example.com", "acme", OrganizationRole.Owner);
        var (member, _) = await app.CreateMemberWithTokenAsync("member@example.com", "acme", OrganizationRole.Member);
        await app.IssueTokenAsync(member.Id, "pipeline");
        var automation = await app.WithDbAsync(db => db.PersonalAccessTokens.SingleAsync(t => t.UserId == member.Id && t.Name == "automation"));

        var byAdmin = await app.WithMembershipsAsync(o => o.RevokeMemberTokenAsync("acme", owner.Id, member.Id, automation.Id));
        Assert.True(byAdmin.Succeeded, byAdmin.Message);
        using var input = new StringReader(string.Empty);
        await using var output = new StringWriter();
        await using var error = new StringWriter();
        Assert.Equal(0, await PfnStudio.Tokens.Operator.OperatorCommandLine.RunAsync(
            app.Services, ["tokens", "revoke", "--user", "member@example.com", "--name", "pipeline"], input, output, error));

        var revoked = await EventsAsync(app, AuditEventKind.Revoked);
        Assert.Equal(
            ["revoked by an administrator of organization acme", "revoked by the operator command line"],
            revoked.Select(e => e.Detail));
        Assert.All(revoked, e => Assert.Equal(member.Id, e.UserId));
        Assert.Equal(automation.Id, revoked[0].TokenId);
    }

    [Fact]
    public async Task TheStoreNeverHoldsTheSecretOfAnyTokenAfterEveryKindOfEvent()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var wrongOnce = await app.IssueTokenAsync(user.Id, "wrong", expiresInDays: 1);
        var revoked = await app.IssueTokenAsync(user.Id, "revoked");
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(revoked));
        var presented = wrongOnce.WithWrongSecret(3);
        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(presented));
        using var browser = app.CreateBrowser();
        await SignInAsync(browser, "ada@example.com");
        var page = await browser.GetAsync("/api-tokens");
        var form = page.Document.QuerySelectorAll("table.tokens form").OfType<AngleSharp.Html.Dom.IHtmlFormElement>()
            .Single(f => f.QuerySelector("button")?.GetAttribute("aria-label") == "Revoke revoked");
        await browser.PostAsync(page, form, BrowserSession.FormFields(form));
        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(revoked));
        app.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(wrongOnce));
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await HotPathExtensions.EventuallyAsync(
            async () => (await EventsAsync(app)).Select(e => e.Kind).Distinct().Count() == 4, "all four kinds of event");

        foreach (var stored in await StoreContents.StoredTextAsync(app))
        {
            foreach (var secret in new[] { wrongOnce[26..], revoked[26..], presented[26..] })
            {
                Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
            }
        }
    }

    private static async Task SignInAsync(BrowserSession browser, string email)
    {
        var page = await browser.GetAsync("/account/sign-in");
        var signedIn = await browser.SubmitAsync(page, "main form", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = TokensApplication.Password,
        });
        Assert.Equal(HttpStatusCode.OK, signedIn.Status);
        Assert.Equal("/api-tokens", (await browser.GetAsync("/api-tokens")).Url.AbsolutePath);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static Task<List<AuditEvent>> EventsAsync(TokensApplication app, AuditEventKind? kind = null) =>
        app.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => kind == null || e.Kind == kind)
            .OrderBy(e => e.Id)
            .ToListAsync());
}
