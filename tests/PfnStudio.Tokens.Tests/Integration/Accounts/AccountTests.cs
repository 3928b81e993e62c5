using System.Net;
using System.Text.RegularExpressions;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Accounts;

public sealed partial class AccountTests
{
    [Fact]
    public async Task WhenASettingRequiresItSignInWaitsForTheEmailConfirmationLink()
    {
        await using var app = new TokensApplication { Settings = { ["Accounts:RequireConfirmedEmail"] = "true" } };
        using var browser = app.CreateBrowser();

        var created = await browser.SignUpAsync("confirm@example.com");
        Assert.Contains("Confirm your email address", created.Text("p.notice"));
        Assert.Null(created.Document.QuerySelector("summary.avatar"));

        var signIn = await browser.GetAsync("/account/sign-in");
        var refused = await browser.SubmitAsync(signIn, "main form", new Dictionary<string, string>
        {
            ["Input.Email"] = "confirm@example.com",
            ["Input.Password"] = TokensApplication.Password,
        });
        Assert.Contains("Confirm your email address before signing in.", refused.Text(".error-summary"));

        // Without a mail server the confirmation mail is written to the log (by the outbox, a moment later).
        string? link = null;
        for (var i = 0; i < 100 && link is null; i++)
        {
            link = app.Logs.Rendered().Select(l => LinkPattern().Match(l)).FirstOrDefault(m => m.Success)?.Groups["link"].Value;
            await Task.Delay(link is null ? 50 : 0, TestContext.Current.CancellationToken);
        }

        Assert.NotNull(link);
        var confirmed = await browser.GetAsync(new Uri(link).PathAndQuery);
        Assert.Contains("Your email address is confirmed.", confirmed.Text("p.notice"));

        var bad = await browser.GetAsync("/account/confirm-email?userId=nobody&code=AAAA");
        Assert.Equal(HttpStatusCode.OK, bad.Status);
        Assert.Contains("not valid", bad.Text(".error-summary"));

        var signedIn = await browser.SubmitAsync(await browser.GetAsync("/account/sign-in"), "main form", new Dictionary<string, string>
        {
            ["Input.Email"] = "confirm@example.com",
            ["Input.Password"] = TokensApplication.Password,
        });
        Assert.Equal("C", signedIn.Text("summary.avatar"));
    }

    [Fact]
    public async Task SignOutEndsTheSessionAndTheTokensPageAsksToSignInAgain()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        var home = await browser.SignUpAsync("bye@example.com");

        var signedOut = await browser.SubmitAsync(home, ".avatar-menu form");
        Assert.Equal("/", signedOut.Url.AbsolutePath);
        Assert.NotNull(signedOut.Document.QuerySelector("a[href='/account/sign-in']"));

        var tokens = await browser.GetAsync("/api-tokens");
        Assert.Equal("/account/sign-in", tokens.Url.AbsolutePath);
    }

    [Fact]
    public async Task AReturnUrlToAnotherSiteIsNotFollowed()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();

        var page = await browser.SignUpAsync("redirect@example.com", returnUrl: "https://evil.example/steal");

        Assert.Equal("localhost", page.Url.Host);
        Assert.Equal("/", page.Url.AbsolutePath);
    }

    [GeneratedRegex("No mail server is configured: \"?email_confirmation\"? mail to user .*?(?<link>https?://[^\"\\s]+/account/confirm-email\\?[^\"\\s]+)", RegexOptions.Singleline)]
    private static partial Regex LinkPattern();
}
