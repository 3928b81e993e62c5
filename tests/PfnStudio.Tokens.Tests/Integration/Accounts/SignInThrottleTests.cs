using System.Net;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Accounts;

/// <summary>Wrong passwords are throttled per client address and slowed per account; nothing locks the owner out.</summary>
public sealed class SignInThrottleTests
{
    private const string FromNetwork = "Too many failed sign-ins from your network; try again in 300 seconds.";

    [Fact]
    public async Task TenWrongPasswordsFromOneAddressGet429WithOneMessageWhileTheOwnerSignsInFromElsewhere()
    {
        await using var app = new TokensApplication();
        await app.CreateUserAsync("owner@example.com");
        using var attacker = Browser(app, "203.0.113.66");

        for (var attempt = 1; attempt <= 10; attempt++)
        {
            var refused = await SignInAsync(attacker, attempt % 2 == 0 ? "owner@example.com" : "nobody@example.com", "wrong password " + attempt);
            Assert.Equal(HttpStatusCode.OK, refused.Status);
            Assert.Equal("Invalid email or password.", refused.Text(".error-summary"));
        }

        // The eleventh is not checked at all, right password or not, account or not: the same 429 and message.
        foreach (var email in new[] { "owner@example.com", "nobody@example.com" })
        {
            var throttled = await SignInAsync(attacker, email, TokensApplication.Password);
            Assert.Equal(HttpStatusCode.TooManyRequests, throttled.Status);
            Assert.Equal("300", throttled.Response.Headers.RetryAfter?.ToString());
            Assert.Equal(FromNetwork, throttled.Text(".error-summary"));
            Assert.Null(throttled.Document.QuerySelector("summary.avatar"));
        }

        using var owner = Browser(app, "198.51.100.7");
        var signedIn = await SignInAsync(owner, "owner@example.com", TokensApplication.Password);
        Assert.Equal("O", signedIn.Text("summary.avatar"));

        // Nothing was written to the account: no failure count, no lockout.
        var row = await app.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Email == "owner@example.com"));
        Assert.Equal((0, (DateTimeOffset?)null), (row.AccessFailedCount, row.LockoutEnd));
    }

    [Fact]
    public async Task AddressesOfOneIpv6Slash64ShareOneAllowance()
    {
        await using var app = new TokensApplication();
        await app.CreateUserAsync("owner@example.com");
        for (var host = 1; host <= 10; host++)
        {
            using var one = Browser(app, $"2001:db8:1:2::{host:x}");
            Assert.Equal("Invalid email or password.", (await SignInAsync(one, "owner@example.com", "wrong password")).Text(".error-summary"));
        }

        using var sameNetwork = Browser(app, "2001:db8:1:2:ffff:ffff:ffff:ffff");
        var throttled = await SignInAsync(sameNetwork, "owner@example.com", TokensApplication.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.Status);
        Assert.Equal(FromNetwork, throttled.Text(".error-summary"));

        using var nextNetwork = Browser(app, "2001:db8:1:3::1");
        Assert.Equal("O", (await SignInAsync(nextNetwork, "owner@example.com", TokensApplication.Password)).Text("summary.avatar"));
    }

    [Fact]
    public async Task AnAccountUnderAttackFromManyAddressesStillLetsTheRightPasswordInFromAnAddressWithoutFailures()
    {
        await using var app = new TokensApplication { Settings = { ["SignInThrottle:AccountFailureLimit"] = "5" } };
        await app.CreateUserAsync("owner@example.com");
        var answers = new List<string>();
        foreach (var email in new[] { "owner@example.com", "nobody@example.com" })
        {
            for (var host = 1; host <= 5; host++)
            {
                using var one = Browser(app, $"127.0.{(email[0] == 'o' ? 1 : 2)}.{host}");
                Assert.Equal("Invalid email or password.", (await SignInAsync(one, email, "wrong password")).Text(".error-summary"));
            }

            // An address that failed on this account waits for the account's short window, even with the right password.
            using var failed = Browser(app, $"127.0.{(email[0] == 'o' ? 1 : 2)}.1");
            var slowed = await SignInAsync(failed, email, TokensApplication.Password);
            Assert.Equal(HttpStatusCode.TooManyRequests, slowed.Status);
            Assert.Equal("60", slowed.Response.Headers.RetryAfter?.ToString());
            answers.Add(slowed.Text(".error-summary"));
        }

        // The same answer whether or not the e-mail has an account.
        Assert.Equal(
            ["Too many failed sign-ins for this email address from several networks; try again in 60 seconds.",
             "Too many failed sign-ins for this email address from several networks; try again in 60 seconds."],
            answers);

        using var owner = Browser(app, "198.51.100.7");
        Assert.Equal("O", (await SignInAsync(owner, "owner@example.com", TokensApplication.Password)).Text("summary.avatar"));
    }

    [Fact]
    public async Task TheOwnersTokenKeepsWorkingDuringAFloodOfWrongPasswords()
    {
        await using var app = new TokensApplication { Settings = { ["SignInThrottle:AccountFailureLimit"] = "5" } };
        var user = await app.CreateUserAsync("owner@example.com");
        var token = await app.IssueTokenAsync(user.Id, "ci");
        using var api = app.CreateClientWithToken(token);

        for (var host = 1; host <= 30; host++)
        {
            using var one = Browser(app, $"127.0.3.{host}");
            for (var attempt = 0; attempt < 2; attempt++)
            {
                await SignInAsync(one, "owner@example.com", $"guess {host}-{attempt}");
            }

            using var me = await api.GetAsync("/api/v1/me");
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }

        var row = await app.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Email == "owner@example.com"));
        Assert.Equal((0, (DateTimeOffset?)null), (row.AccessFailedCount, row.LockoutEnd));
    }

    private static BrowserSession Browser(TokensApplication app, string address)
    {
        var browser = app.CreateBrowser();
        browser.Client.DefaultRequestHeaders.Add(TestClientAddress.Header, address);
        return browser;
    }

    private static async Task<BrowserSession.Page> SignInAsync(BrowserSession browser, string email, string password) =>
        await browser.SubmitAsync(await browser.GetAsync("/account/sign-in"), "main form", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
}
