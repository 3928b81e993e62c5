using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.PersonalAccessTokens;
using PfnStudio.Tokens.PersonalAccessTokens.Verification;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.PersonalAccessTokens;

/// <summary>
/// The token service's rules at their limits (issue 18): the longest expiry and one past it, the order of the
/// page's lists, the audit rows of issuing and revoking, and what a revoke of every token leaves untouched.
/// </summary>
public sealed class TokenServiceRulesTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AnExpiryOfExactly3650DaysIsIssuedAndOneDayMoreIsRefusedWithNothingStored()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("limits@example.com");

        var longest = await browser.IssueOnPageAsync("ten years", "3650");
        Assert.NotNull(longest.RevealedToken());
        var refused = await browser.IssueOnPageAsync("one more", "3651");
        Assert.Null(refused.RevealedToken());
        Assert.Equal(
            "Expires in (days) must be a whole number from 1 to 3650, or blank for a token that never expires.",
            refused.Text("[data-valmsg-for='Input.ExpiresInDays']"));

        var token = await app.WithDbAsync(db => db.PersonalAccessTokens.SingleAsync());
        Assert.Equal("ten years", token.Name);
        Assert.Equal(Start.AddDays(3650), token.ExpiresAt);
        Assert.Equal(["Issued — issued, pat (full access), expires in 3650 days"], refused.Texts("details.activity td.what"));
    }

    [Fact]
    public async Task AOneDayExpiryTypedWithSpacesIsIssuedForExactlyADayAndTheActivitySaysOneDay()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("oneday@example.com");

        var issued = await browser.IssueOnPageAsync("a day", "  1  ");

        Assert.NotNull(issued.RevealedToken());
        Assert.Equal(Start.AddDays(1), await app.WithDbAsync(db => db.PersonalAccessTokens.Select(t => t.ExpiresAt).SingleAsync()));
        Assert.Equal(["Issued — issued, pat (full access), expires in 1 day"], issued.Texts("details.activity td.what"));
    }

    [Fact]
    public async Task BadNamesAndExpiriesGetTheirMessagesAndAFormSentTwiceMintsOnceWithNothingElseStored()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("rules@example.com");
        var other = await app.CreateUserAsync("other@example.com");
        await app.IssueTokenAsync(user.Id, "taken");
        const string InUse = "You already have an active token named \"taken\". Choose another name or revoke that one first.";
        using var argon2 = Argon2Count.Start(app);
        const string range = "Expires in (days) must be a whole number from 1 to 3650, or blank for a token that never expires.";
        var cases = new (string Name, string Days, string Field, string Message)[]
        {
            ("", "", IssueTokenResult.NameField, "Enter a token name."),
            (new string('x', 101), "", IssueTokenResult.NameField, "The token name "),
            ("taken", "", IssueTokenResult.NameField, InUse),
            ("  taken  ", "", IssueTokenResult.NameField, InUse),
            ("ok", "abc", IssueTokenResult.ExpiresInDaysField, range),
            ("ok", "0", IssueTokenResult.ExpiresInDaysField, range),
            ("ok", "3651", IssueTokenResult.ExpiresInDaysField, range),
            ("ok", "1.0", IssueTokenResult.ExpiresInDaysField, range),
            ("ok", "99999999999999999999", IssueTokenResult.ExpiresInDaysField, range),
            ("ok", "1.5", IssueTokenResult.ExpiresInDaysField, "Expires in (days) must be a whole number of days, not a fraction."),
        };

        using (var scope = app.Services.CreateScope())
        {
            var tokens = scope.ServiceProvider.GetRequiredService<PersonalAccessTokenService>();
            foreach (var (name, days, field, message) in cases)
            {
                var result = await tokens.IssueAsync(user.Id, name, days, Guid.NewGuid());
                Assert.False(result.Succeeded);
                Assert.Null(result.Plaintext);
                Assert.StartsWith(message, Assert.Single(result.Errors, e => e.Key == field).Value, StringComparison.Ordinal);
                Assert.Single(result.Errors);
            }

            // Both fields wrong: both messages.
            Assert.Equal(2, (await tokens.IssueAsync(user.Id, " ", "-1", null)).Errors.Count);

            // One form sent twice mints once; the same form id from another account, or another form, mints again.
            var form = Guid.NewGuid();
            Assert.True((await tokens.IssueAsync(user.Id, "first", "", form)).Succeeded);
            var again = await tokens.IssueAsync(user.Id, "second", "", form);
            Assert.True(again.AlreadyIssued);
            Assert.Null(again.Plaintext);
            Assert.True((await tokens.IssueAsync(other.Id, "first", "", form)).Succeeded);
            Assert.True((await tokens.IssueAsync(user.Id, "third", "", Guid.NewGuid())).Succeeded);

            // A caller must say why it revokes.
            await Assert.ThrowsAsync<ArgumentNullException>(() => tokens.RevokeAsync(user.Id, Guid.NewGuid(), null!));
            await Assert.ThrowsAsync<ArgumentNullException>(() => tokens.RevokeAllAsync(user.Id, null!));
        }

        Assert.Equal(["first", "taken", "third"], await app.WithDbAsync(db => db.PersonalAccessTokens
            .Where(t => t.UserId == user.Id).Select(t => t.Name).OrderBy(n => n).ToListAsync()));
        Assert.Equal(4, await app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Kind == AuditEventKind.Issued)));
        Assert.Equal(3, argon2.Hashes); // refused input costs no Argon2 run, nor does a form sent again
        var first = await app.WithDbAsync(db => db.PersonalAccessTokens.SingleAsync(t => t.UserId == user.Id && t.Name == "first"));
        Assert.Equal("issued, pat (full access), never expires", await app.WithDbAsync(db => db.AuditEvents
            .Where(e => e.TokenId == first.Id).Select(e => e.Detail).SingleAsync()));
        Assert.Contains(app.Logs.Rendered(), line => line.Contains($"Issued personal access token {first.Id}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ActiveTokensAreNewestFirstByNameWithinAnInstantAndEndedOnesMostRecentlyEndedFirst()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("order@example.com");
        var user = await app.WithDbAsync(db => db.Users.SingleAsync());

        // Issued at one instant: by name. A minute later: first.
        await app.IssueTokenAsync(user.Id, "beta");
        await app.IssueTokenAsync(user.Id, "alpha");
        await app.IssueTokenAsync(user.Id, "ends first", expiresInDays: 1);
        await app.IssueTokenAsync(user.Id, "ends last", expiresInDays: 3);
        await app.IssueTokenAsync(user.Id, "revoked", expiresInDays: 10);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await app.IssueTokenAsync(user.Id, "newest");
        await app.IssueTokenAsync(user.Id, "ends now", expiresInDays: 4);

        // Revoked on day 2, before its expiry on day 10: it ended when it was revoked.
        app.Clock.Advance(TimeSpan.FromDays(2));
        var revokedId = await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Name == "revoked").Select(t => t.Id).SingleAsync());
        Assert.Equal("revoked", await app.WithServiceAsync<PersonalAccessTokenService, string?>(s => s.RevokeAsync(user.Id, revokedId)));
        Assert.Equal("revoked", await app.WithDbAsync(db => db.AuditEvents.Where(e => e.Kind == AuditEventKind.Revoked).Select(e => e.Detail).SingleAsync()));
        Assert.Contains(app.Logs.Rendered(), line => line.Contains($"Revoked personal access token {revokedId}", StringComparison.Ordinal));
        app.Clock.Advance(TimeSpan.FromDays(2));

        var page = await browser.GetAsync("/api-tokens");
        Assert.Equal(["newest", "alpha", "beta"], page.Texts("section.card table.tokens td.name"));
        Assert.Equal(["ends now", "ends last", "revoked", "ends first"], page.Texts("details.ended td.name"));
    }

    [Fact]
    public async Task AnIssueAuditDetailLongerThanItsColumnIsCutToExactlyTheColumnsLength()
    {
        await using var app = new TokensApplication();
        var (user, _) = await app.CreateMemberWithTokenAsync("long@example.com", "acme", OrganizationRole.Owner);
        var projects = Enumerable.Range(1, 4).Select(i => $"acme-{i}-{new string('p', 50)}").ToArray();
        foreach (var project in projects)
        {
            Assert.True((await app.WithProjectsAsync(p => p.CreateProjectAsync("acme", user.Id, project))).Succeeded);
        }

        await app.IssueFineGrainedTokenAsync(user.Id, "many projects", "acme", ["read"], projects);

        var detail = await app.WithDbAsync(db => db.AuditEvents
            .Where(e => e.Kind == AuditEventKind.Issued && e.Detail!.Contains("acme /")).Select(e => e.Detail).SingleAsync());
        var full = $"issued, read \u00b7 acme / {string.Join(", ", projects)}, never expires";
        Assert.Equal(full[..AuditEvent.DetailMaxLength], detail);
        var listed = await app.WithServiceAsync<PersonalAccessTokenService, PersonalAccessTokenLists>(s => s.ListAsync(user.Id));
        Assert.Equal($"read \u00b7 acme / {string.Join(", ", projects)}", listed.Active.Single(t => t.Name == "many projects").Access.Describe());
    }

    [Fact]
    public async Task RecentActivityShowsTheTwentyNewestTokenEventsNewestFirstAndNoAccountEvents()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("busy@example.com");
        var user = await app.WithDbAsync(db => db.Users.SingleAsync());
        for (var i = 1; i <= 20; i++)
        {
            await app.IssueTokenAsync(user.Id, $"token {i:00}");
        }

        app.Clock.Advance(TimeSpan.FromSeconds(1));
        await app.IssueTokenAsync(user.Id, "token 21");

        Assert.Equal(HttpStatusCode.OK, (await browser.ChangePasswordAsync(TokensApplication.Password, "another horse battery staple")).Status);

        // The newest first; the 20 issued at one instant, the one written last first; the first one left out.
        var page = await browser.GetAsync("/api-tokens");
        var names = page.Texts("details.activity td.name");
        Assert.Equal(PersonalAccessTokenService.RecentActivityCount, names.Count);
        Assert.StartsWith("token 21 ", names[0], StringComparison.Ordinal);
        Assert.StartsWith("token 02 ", names[^1], StringComparison.Ordinal);
        Assert.All(page.Texts("details.activity td.what"), what => Assert.StartsWith("Issued — ", what, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RevokingEveryTokenRevokesOnlyTheOwnersActiveOnesAuditsEachOnceAndForgetsTheirVerifications()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("all@example.com");
        var other = await app.CreateUserAsync("other@example.com");
        var active = await app.IssueTokenAsync(user.Id, "active");
        await app.IssueTokenAsync(user.Id, "expired", expiresInDays: 1);
        await app.IssueTokenAsync(user.Id, "revoked before");
        var theirs = await app.IssueTokenAsync(other.Id, "theirs");
        var revokedBeforeId = await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Name == "revoked before").Select(t => t.Id).SingleAsync());
        await app.WithServiceAsync<PersonalAccessTokenService, string?>(s => s.RevokeAsync(user.Id, revokedBeforeId));
        app.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(active));
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(theirs));
        var verified = app.Services.GetRequiredService<VerifiedTokenCache>();
        Assert.Equal(2, verified.Count);

        using var input = new StringReader(string.Empty);
        await using var output = new StringWriter();
        await using var error = new StringWriter();
        Assert.Equal(0, await PfnStudio.Tokens.Operator.OperatorCommandLine.RunAsync(
            app.Services, ["tokens", "revoke-all", "--user", "all@example.com"], input, output, error));

        Assert.Equal("Revoked 1 token(s) of all@example.com.", output.ToString().Trim());
        Assert.Equal(1, verified.Count);
        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(active));
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(theirs));
        var tokens = await app.WithDbAsync(db => db.PersonalAccessTokens.AsNoTracking().ToDictionaryAsync(t => t.Name));
        Assert.Equal(app.Clock.GetUtcNow(), tokens["active"].RevokedAt);
        Assert.Null(tokens["expired"].RevokedAt);
        Assert.Equal(Start, tokens["revoked before"].RevokedAt);
        Assert.Null(tokens["theirs"].RevokedAt);

        var row = Assert.Single(await app.WithDbAsync(db => db.AuditEvents
            .Where(e => e.Kind == AuditEventKind.Revoked && e.OccurredAt == app.Clock.GetUtcNow()).ToListAsync()));
        Assert.Equal(tokens["active"].Id, row.TokenId);
        Assert.Equal(tokens["active"].Prefix, row.TokenPrefix);
        Assert.Equal(user.Id, row.UserId);
        Assert.Equal("revoked with all of its owner's tokens by the operator command line", row.Detail);
        Assert.Contains(app.Logs.Rendered(), line => line.Contains($"Revoked personal access token {tokens["active"].Id}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheMembersActiveTokensLeaveOutEndedOnesAndTokensEndingThisInstant()
    {
        await using var app = new TokensApplication();
        var ada = await app.CreateUserAsync("ada@example.com");
        var bob = await app.CreateUserAsync("bob@example.com");
        await app.IssueTokenAsync(ada.Id, "ada beta");
        await app.IssueTokenAsync(ada.Id, "ada alpha");
        await app.IssueTokenAsync(ada.Id, "ada ended", expiresInDays: 1);
        app.Clock.Advance(TimeSpan.FromTicks(1));
        await app.IssueTokenAsync(ada.Id, "ada ends now", expiresInDays: 1);
        await app.IssueTokenAsync(bob.Id, "bob revoked");
        var revokedId = await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Name == "bob revoked").Select(t => t.Id).SingleAsync());
        await app.WithServiceAsync<PersonalAccessTokenService, string?>(s => s.RevokeAsync(bob.Id, revokedId));
        app.Clock.Advance(TimeSpan.FromDays(1) - TimeSpan.FromTicks(1));
        await app.IssueTokenAsync(ada.Id, "ada newest");
        await app.IssueTokenAsync(bob.Id, "bob live");
        app.Clock.Advance(TimeSpan.FromTicks(1)); // "ada ended" ended a tick ago, "ada ends now" ends now

        var active = await app.WithServiceAsync<PersonalAccessTokenService, ILookup<string, PersonalAccessTokenSummary>>(
            s => s.ListActiveAsync([ada.Id, bob.Id]));

        Assert.Equal(["ada newest", "ada alpha", "ada beta"], active[ada.Id].Select(t => t.Name));
        Assert.Equal(["bob live"], active[bob.Id].Select(t => t.Name));
    }
}
