using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using PfnStudio.Tokens.Tests.Infrastructure;
using PfnStudio.Tokens.Tests.Integration.Accounts;

namespace PfnStudio.Tokens.Tests.Browser;

/// <summary>
/// The account flows in Chromium, as a person does them: two-factor enrolment, sign-in with a code and with a
/// recovery code, and "Forgot password?" through a real SMTP server; axe finds no serious or critical violation on
/// the pages on the way, at a laptop's and a phone's width.
/// </summary>
public sealed class AccountFlowBrowserTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Theory]
    [InlineData(1280, 800)]
    [InlineData(375, 812)]
    public async Task TwoFactorEnrolmentThenSignInWithACodeAndWithARecoveryCode(int width, int height)
    {
        await using var served = await ServedApplication.StartAsync(chromium);
        var page = served.Page;
        await page.SetViewportSizeAsync(width, height);
        var findings = new List<string>();
        await page.SignUpAsync("browser-2fa@example.com");

        await page.Locator("summary.avatar").ClickAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Account" }).GetByRole(AriaRole.Link, new() { Name = "Account", Exact = true }).ClickAsync();
        await page.AssertAtAsync("/account");
        await page.GetByRole(AriaRole.Link, new() { Name = "Set up two-factor authentication" }).ClickAsync();
        await page.AssertAtAsync("/account/two-factor");
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "QR code to add PFN Studio to an authenticator app" })).ToBeVisibleAsync();
        findings.AddRange(await SeriousViolationsAsync(page, "two-factor set-up"));
        var key = await page.Locator(".authenticator-key").InnerTextAsync();
        await page.GetByLabel("Code from the app").FillAsync(TwoFactorTests.Totp(served.App.Clock, key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();

        var codes = page.Locator(".recovery-codes li code");
        await Assertions.Expect(codes).ToHaveCountAsync(10);
        var recoveryCode = await codes.First.InnerTextAsync();
        findings.AddRange(await SeriousViolationsAsync(page, "recovery codes shown"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");

        // Sign out, then in with the password and the app's code.
        await SignOutAsync(page);
        await SignInWithPasswordAsync(page, "browser-2fa@example.com");
        await page.AssertAtAsync("/account/sign-in/two-factor?RememberMe=False");
        findings.AddRange(await SeriousViolationsAsync(page, "sign-in code step"));
        await page.GetByLabel("Code from the app").FillAsync(TwoFactorTests.Totp(served.App.Clock, key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator("summary.avatar")).ToBeVisibleAsync();

        // And with a recovery code instead, which then works no more.
        await SignOutAsync(page);
        await SignInWithPasswordAsync(page, "browser-2fa@example.com");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with a recovery code" }).ClickAsync();
        findings.AddRange(await SeriousViolationsAsync(page, "sign-in recovery code step"));
        await page.GetByLabel("Recovery code").FillAsync(recoveryCode);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator("summary.avatar")).ToBeVisibleAsync();

        await page.GotoAsync("/account");
        await Assertions.Expect(page.Locator("table.account-activity")).ToContainTextAsync("Two-factor authentication on");
        findings.AddRange(await SeriousViolationsAsync(page, "account with security activity"));

        await SignOutAsync(page);
        await SignInWithPasswordAsync(page, "browser-2fa@example.com");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with a recovery code" }).ClickAsync();
        await page.GetByLabel("Recovery code").FillAsync(recoveryCode);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator(".error-summary, .field-error").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("summary.avatar")).ToHaveCountAsync(0);

        Assert.Empty(findings);
        served.AssertNoConsoleErrors();
    }

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(375, 812)]
    public async Task ForgotPasswordMailsALinkThatSetsANewPassword(int width, int height)
    {
        using var smtp = new SmtpTestServer();
        await using var served = await ServedApplication.StartAsync(chromium, settings: smtp.Settings);
        var page = served.Page;
        await page.SetViewportSizeAsync(width, height);
        var findings = new List<string>();
        await page.SignUpAsync("browser-reset@example.com");
        await SignOutAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "Forgot password?" }).ClickAsync();
        await page.AssertAtAsync("/account/forgot-password");
        findings.AddRange(await SeriousViolationsAsync(page, "forgot password"));
        await page.GetByLabel("Email").FillAsync("Browser-Reset@Example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send reset link" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("we sent it a link");

        var mail = await smtp.WaitForAsync("browser-reset@example.com", "Reset your PFN Studio password");
        await page.GotoAsync(SmtpTestServer.LinkPath(mail));
        findings.AddRange(await SeriousViolationsAsync(page, "reset password"));
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync("short");
        await page.GetByLabel("New password again").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set new password" }).ClickAsync();
        await Assertions.Expect(page.Locator(".field-error").First).ToContainTextAsync("10 to 256 characters");
        findings.AddRange(await SeriousViolationsAsync(page, "reset password with a message"));

        await page.GetByLabel("New password", new() { Exact = true }).FillAsync("a browser-chosen passphrase");
        await page.GetByLabel("New password again").FillAsync("a browser-chosen passphrase");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set new password" }).ClickAsync();
        await page.AssertAtAsync("/account/sign-in");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Your password is changed");

        await page.GetByLabel("Email").FillAsync("browser-reset@example.com");
        await page.GetByLabel("Password").FillAsync("a browser-chosen passphrase");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator("summary.avatar")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");

        Assert.Empty(findings);
        served.AssertNoConsoleErrors();
    }

    private static async Task SignOutAsync(IPage page)
    {
        await page.Locator("summary.avatar").ClickAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Account" }).GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("summary.avatar")).ToHaveCountAsync(0);
        await page.GotoAsync("/account/sign-in");
    }

    private static async Task SignInWithPasswordAsync(IPage page, string email)
    {
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(TokensApplication.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    private static async Task<IEnumerable<string>> SeriousViolationsAsync(IPage page, string where)
    {
        var results = await page.RunAxe();
        return results.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{where}: {v.Id} ({v.Impact}) at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}");
    }
}
