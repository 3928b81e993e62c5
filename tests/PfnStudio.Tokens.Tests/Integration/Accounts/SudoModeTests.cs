using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Accounts;

/// <summary>
/// Sudo mode (issue 14): issuing a token needs the password confirmed within the last 2 hours; signing in counts,
/// and a confirmation counts for the next 2 hours. What was typed stays in the form.
/// </summary>
public sealed class SudoModeTests
{
    [Fact]
    public async Task WithinTwoHoursOfSigningInATokenIssuesWithoutThePasswordAndAtTwoHoursItIsAskedFor()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("sudo@example.com");

        app.Clock.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));
        var fresh = await browser.IssueOnPageAsync("within");
        Assert.NotNull(fresh.RevealedToken());
        Assert.Null(fresh.Document.QuerySelector("input[name='Input.Password']"));

        app.Clock.Advance(TimeSpan.FromSeconds(1));
        var page = await browser.GetAsync("/api-tokens");
        Assert.NotNull(page.Document.QuerySelector("input[name='Input.Password'][type=password][autocomplete=current-password]"));
        Assert.Contains("You signed in more than 2 hours ago", page.Text("#password-hint"));
    }

    [Theory]
    [InlineData("", "Enter your password: issuing a token needs it when you signed in more than 2 hours ago.")]
    [InlineData("not the password", "That is not your password.")]
    public async Task AnOldSessionWithoutTheRightPasswordIssuesNothingAndKeepsWhatWasTyped(string password, string message)
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("old-session@example.com");
        app.Clock.Advance(TimeSpan.FromHours(3));

        var page = await browser.GetAsync("/api-tokens");
        var refused = await browser.SubmitAsync(page, "form.issue-form", new Dictionary<string, string>
        {
            ["Input.Name"] = "deploy",
            ["Input.ExpiresInDays"] = "30",
            ["Input.Password"] = password,
        });

        Assert.Null(refused.RevealedToken());
        Assert.Equal(message, refused.Text("[data-valmsg-for='Input.Password']"));
        Assert.Equal("true", refused.Document.QuerySelector("input[name='Input.Password']")!.GetAttribute("aria-invalid"));
        Assert.Equal("", refused.Document.QuerySelector("input[name='Input.Password']")!.GetAttribute("value"));
        Assert.Equal("deploy", refused.Document.QuerySelector("input[name='Input.Name']")!.GetAttribute("value"));
        Assert.Equal("30", refused.Document.QuerySelector("input[name='Input.ExpiresInDays']")!.GetAttribute("value"));
        Assert.Equal(0, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
        Assert.DoesNotContain(password.Length > 0 ? password : "\u0000", refused.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheRightPasswordIssuesAndCountsForTheNextTwoHoursOnThisSession()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("confirm@example.com");
        app.Clock.Advance(TimeSpan.FromDays(1));

        var page = await browser.GetAsync("/api-tokens");
        var issued = await browser.SubmitAsync(page, "form.issue-form", new Dictionary<string, string>
        {
            ["Input.Name"] = "confirmed",
            ["Input.Password"] = TokensApplication.Password,
        });
        Assert.NotNull(issued.RevealedToken());
        Assert.Null(issued.Document.QuerySelector("input[name='Input.Password']"));

        // The confirmation outlives the stamp check that rebuilds the session on every request.
        app.Clock.Advance(TimeSpan.FromHours(1));
        await browser.GetAsync("/account");
        var again = await browser.IssueOnPageAsync("an hour later");
        Assert.NotNull(again.RevealedToken());

        app.Clock.Advance(TimeSpan.FromHours(1));
        var expired = await browser.IssueOnPageAsync("two hours later");
        Assert.Null(expired.RevealedToken());
        Assert.Equal(2, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
    }

    [Fact]
    public async Task SigningInAgainCountsAsAConfirmation()
    {
        await using var app = new TokensApplication();
        using (var first = app.CreateBrowser())
        {
            await first.SignUpAsync("again@example.com");
        }

        app.Clock.Advance(TimeSpan.FromHours(5));
        using var browser = app.CreateBrowser();
        await browser.SignInAsync("again@example.com", TokensApplication.Password);

        var issued = await browser.IssueOnPageAsync("after sign-in");

        Assert.NotNull(issued.RevealedToken());
    }

    [Fact]
    public async Task TurningOnTwoFactorInAnOldSessionNeedsThePasswordAndChangesNothingWithoutIt()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("sudo-2fa@example.com");
        app.Clock.Advance(TimeSpan.FromHours(3));

        var setup = await browser.GetAsync("/account/two-factor");
        Assert.Contains("You signed in more than 2 hours ago", setup.Text("#enable-password-hint"));
        var key = setup.Text(".authenticator-key");
        var refused = await browser.SubmitAsync(setup, "form.enable-two-factor", new Dictionary<string, string>
        {
            ["Input.Code"] = TwoFactorTests.Totp(app.Clock, key),
            ["Input.Password"] = "not the password",
        });
        Assert.Equal("That is not your password.", refused.Text("[data-valmsg-for='Input.Password']"));
        Assert.Contains("Off.", refused.Text(".two-factor-state"));
        Assert.False(await app.WithDbAsync(db => db.Users.Where(u => u.Email == "sudo-2fa@example.com").Select(u => u.TwoFactorEnabled).SingleAsync()));

        var on = await browser.SubmitAsync(refused, "form.enable-two-factor", new Dictionary<string, string>
        {
            ["Input.Code"] = TwoFactorTests.Totp(app.Clock, key),
            ["Input.Password"] = TokensApplication.Password,
        });
        Assert.Contains("On.", on.Text(".two-factor-state"));
        Assert.True(await app.WithDbAsync(db => db.Users.Where(u => u.Email == "sudo-2fa@example.com").Select(u => u.TwoFactorEnabled).SingleAsync()));
    }

    [Fact]
    public async Task TheNewAppsCodeDoesNotRenewSudoMode()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("sudo-keep@example.com");
        app.Clock.Advance(TimeSpan.FromHours(1));

        // Within the window: no password asked; the app's code proves the app, so the window still ends 2 h after sign-in.
        var setup = await browser.GetAsync("/account/two-factor");
        Assert.Null(setup.Document.QuerySelector("#enable-password"));
        var on = await browser.SubmitAsync(setup, "form.enable-two-factor", new Dictionary<string, string> { ["Input.Code"] = TwoFactorTests.Totp(app.Clock, setup.Text(".authenticator-key")) });
        Assert.Contains("On.", on.Text(".two-factor-state"));

        app.Clock.Advance(TimeSpan.FromHours(1));
        var page = await browser.GetAsync("/api-tokens");
        Assert.NotNull(page.Document.QuerySelector("input[name='Input.Password'][type=password]"));
    }
}
