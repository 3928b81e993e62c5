using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.PersonalAccessTokens;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.PersonalAccessTokens;

/// <summary>
/// Expiry notices: the avatar menu flags tokens that expire within 7 days, and with a mail server the owner gets one
/// mail 7 days before and one at expiry, each recorded as an audit row (so never twice).
/// </summary>
public sealed class ExpiryNoticeTests
{
    private const string Warning = "expires soon";
    private const string Expired = "has expired";

    [Fact]
    public async Task OneWarningSevenDaysBeforeAndOneNoticeAtExpiryEachOnce()
    {
        using var smtp = new SmtpTestServer();
        await using var app = new TokensApplication { Settings = smtp.Settings };
        var user = await app.CreateUserAsync("expiring@example.com");
        var token = await app.IssueTokenAsync(user.Id, "nightly", expiresInDays: 30);
        var notices = app.Services.GetRequiredService<ExpiryNotices>();

        app.Clock.Advance(TimeSpan.FromDays(22) + TimeSpan.FromHours(1));
        await notices.RunOnceAsync(TestContext.Current.CancellationToken);
        Assert.Empty(await smtp.AfterAWhileAsync("expiring@example.com", Warning));

        app.Clock.Advance(TimeSpan.FromDays(1));
        await notices.RunOnceAsync(TestContext.Current.CancellationToken);
        var warning = await smtp.WaitForAsync("expiring@example.com", Warning);
        Assert.Contains("\u201cnightly\u201d", warning.Subject, StringComparison.Ordinal);
        Assert.Contains(SmtpTestServer.PublicUrl + "/api-tokens", warning.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(token, warning.TextBody, StringComparison.Ordinal);
        await notices.RunOnceAsync(TestContext.Current.CancellationToken);
        Assert.Single(await smtp.AfterAWhileAsync("expiring@example.com", Warning));

        app.Clock.Advance(TimeSpan.FromDays(7));
        await notices.RunOnceAsync(TestContext.Current.CancellationToken);
        await notices.RunOnceAsync(TestContext.Current.CancellationToken);
        Assert.Single(await smtp.AfterAWhileAsync("expiring@example.com", Expired));
        Assert.Single(await smtp.AfterAWhileAsync("expiring@example.com", Warning));

        var kinds = await app.WithDbAsync(db => db.AuditEvents.Where(e => e.UserId == user.Id).Select(e => e.Kind).ToListAsync());
        Assert.Equal(1, kinds.Count(k => k == AuditEventKind.ExpiryWarningSent));
        Assert.Equal(1, kinds.Count(k => k == AuditEventKind.ExpiredNoticeSent));
    }

    [Fact]
    public async Task AShortLivedTokenGetsNoWarningAndRevokedTokensOrNoMailServerGetNothing()
    {
        using var smtp = new SmtpTestServer();
        await using var app = new TokensApplication { Settings = smtp.Settings };
        var user = await app.CreateUserAsync("short@example.com");
        await app.IssueTokenAsync(user.Id, "three days", expiresInDays: 3);
        var revoked = await app.IssueTokenAsync(user.Id, "revoked", expiresInDays: 10);
        await app.RevokeFromAnotherConnectionAsync(revoked, app.Clock.GetUtcNow());
        var notices = app.Services.GetRequiredService<ExpiryNotices>();

        await notices.RunOnceAsync(TestContext.Current.CancellationToken);
        app.Clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromHours(1));
        await notices.RunOnceAsync(TestContext.Current.CancellationToken);

        Assert.Empty(await smtp.AfterAWhileAsync("short@example.com", Warning));
        var expired = await smtp.WaitForAsync("short@example.com", Expired);
        Assert.Contains("\u201cthree days\u201d", expired.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain(smtp.Received, m => (m.Subject ?? "").Contains("\u201crevoked\u201d", StringComparison.Ordinal));

        await using var silent = new TokensApplication();
        var other = await silent.CreateUserAsync("silent@example.com");
        await silent.IssueTokenAsync(other.Id, "soon", expiresInDays: 8);
        silent.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(0, await silent.Services.GetRequiredService<ExpiryNotices>().RunOnceAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task TheAvatarMenuFlagsTokensThatExpireWithinSevenDays()
    {
        await using var app = new TokensApplication();
        var person = new Person(app);
        await person.Browser.SignUpAsync("flagged@example.com");
        await person.Browser.IssueOnPageAsync("month", "30");
        var home = await person.Browser.GetAsync("/");
        Assert.Null(home.Document.QuerySelector(".expiring-soon"));
        Assert.Null(home.Document.QuerySelector("summary.avatar .menu-dot"));

        // Two steps, so the 14-day sliding session stays alive; then 6 days are left.
        app.Clock.Advance(TimeSpan.FromDays(12));
        await person.Browser.GetAsync("/");
        app.Clock.Advance(TimeSpan.FromDays(12));
        home = await person.Browser.GetAsync("/");
        Assert.Equal("1 expiring soon", home.Text(".menu .expiring-soon"));
        Assert.EndsWith(", 1 token(s) expiring soon", home.Document.QuerySelector("summary.avatar")!.GetAttribute("aria-label"), StringComparison.Ordinal);
        Assert.NotNull(home.Document.QuerySelector("summary.avatar .menu-dot"));
    }
}
