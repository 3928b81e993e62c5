using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Accounts;

/// <summary>
/// Mail through a real SMTP server (netDumbster, in process): "Forgot password?" and its reset link, the security
/// notices, e-mail confirmation, and what happens without a mail server.
/// </summary>
public sealed class MailTests
{
    private const string NewPassword = "a brand new passphrase";

    [Fact]
    public async Task AResetLinkGoesToTheStoredAddressWorksOnceEndsEverySessionOnBothHostsAndTokensKeepWorking()
    {
        using var smtp = new SmtpTestServer();
        await using var a = new TokensApplication { Settings = smtp.Settings };
        await using var b = new TokensApplication(a) { Settings = smtp.Settings };
        var owner = new Person(a);
        await owner.Browser.SignUpAsync("Reset.Me@Example.com");
        var token = (await owner.Browser.IssueOnPageAsync("ci", "30")).RevealedToken()!;
        var elsewhere = new Person(b);
        await elsewhere.SignInAsync("reset.me@example.com", TokensApplication.Password);
        var ownerCookie = owner.SessionCookie();
        var elsewhereCookie = elsewhere.SessionCookie();

        // Typed differently: found by the normalised address, mailed to the stored one.
        var visitor = new Person(b);
        var signIn = await visitor.Browser.GetAsync("/account/sign-in");
        Assert.Equal("/account/forgot-password", signIn.Document.QuerySelector("a[href='/account/forgot-password']")?.GetAttribute("href"));
        var asked = await visitor.Browser.SubmitAsync(await visitor.Browser.GetAsync("/account/forgot-password"), "main form",
            new Dictionary<string, string> { ["Input.Email"] = "  RESET.me@example.COM " });
        Assert.Equal(HttpStatusCode.OK, asked.Status);
        Assert.Contains("If an account uses RESET.me@example.COM, we sent it a link", asked.Text("p.notice"), StringComparison.Ordinal);

        var mail = await smtp.WaitForAsync("Reset.Me@Example.com", "Reset your PFN Studio password");
        Assert.Equal("tokens@pfn.example", mail.From.Mailboxes.Single().Address);
        var link = SmtpTestServer.LinkPath(mail);
        Assert.StartsWith("/account/reset-password?userId=", link, StringComparison.Ordinal);

        var form = await visitor.Browser.GetAsync(link);
        var reset = await visitor.Browser.SubmitAsync(form, "main form", new Dictionary<string, string>
        {
            ["Input.NewPassword"] = NewPassword,
            ["Input.ConfirmPassword"] = NewPassword,
        });
        Assert.Equal("/account/sign-in", reset.Url.AbsolutePath);
        Assert.Contains("Your password is changed and every session is signed out", reset.Text("p.notice"), StringComparison.Ordinal);

        foreach (var host in new[] { a, b })
        {
            await SessionEndTests.AssertRefusedAsync(host, ownerCookie);
            await SessionEndTests.AssertRefusedAsync(host, elsewhereCookie);
        }

        // The link worked once.
        var again = await visitor.Browser.SubmitAsync(await visitor.Browser.GetAsync(link), "main form", new Dictionary<string, string>
        {
            ["Input.NewPassword"] = "yet another passphrase",
            ["Input.ConfirmPassword"] = "yet another passphrase",
        });
        Assert.Contains("This password reset link is not valid any more", again.Text(".error-summary"), StringComparison.Ordinal);

        var old = await new Person(a).SignInAsync("reset.me@example.com", TokensApplication.Password);
        Assert.Contains("Invalid email or password.", old.Text(".error-summary"), StringComparison.Ordinal);
        var back = new Person(a);
        var home = await back.SignInAsync("reset.me@example.com", NewPassword);
        Assert.Equal("/", home.Url.AbsolutePath);
        var account = await back.Browser.GetAsync("/account");
        Assert.Contains("Password reset by e-mail link", account.Text("table.account-activity td.what"), StringComparison.Ordinal);

        var notice = await smtp.WaitForAsync("Reset.Me@Example.com", "Your PFN Studio password was changed");
        Assert.Contains("with a password reset link", notice.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(token, notice.TextBody, StringComparison.Ordinal);

        using var api = b.CreateClientWithToken(token);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task AnUnknownAddressGetsTheSameAnswerAndNoMail()
    {
        using var smtp = new SmtpTestServer();
        await using var app = new TokensApplication { Settings = smtp.Settings };
        await app.CreateUserAsync("known@example.com");
        var visitor = new Person(app);

        async Task<BrowserSession.Page> AskAsync(string email) =>
            await visitor.Browser.SubmitAsync(await visitor.Browser.GetAsync("/account/forgot-password"), "main form",
                new Dictionary<string, string> { ["Input.Email"] = email });

        var known = await AskAsync("known@example.com");
        var unknown = await AskAsync("nobody@example.com");
        Assert.Equal(known.Status, unknown.Status);
        Assert.Equal(known.Text("p.notice").Replace("known@", "nobody@", StringComparison.Ordinal), unknown.Text("p.notice"));
        Assert.Single(await smtp.AfterAWhileAsync("known@example.com", "Reset your PFN Studio password"));
        Assert.DoesNotContain(smtp.Received, m => m.To.Mailboxes.Any(x => x.Address == "nobody@example.com"));
    }

    [Fact]
    public async Task ResetRequestsAreThrottledPerAddressAndResetMailsPerAccount()
    {
        using var smtp = new SmtpTestServer();
        await using var app = new TokensApplication { Settings = smtp.Settings };
        await app.CreateUserAsync("flooded@example.com");
        var visitor = new Person(app);
        var statuses = new List<HttpStatusCode>();
        BrowserSession.Page? last = null;
        for (var i = 0; i < 6; i++)
        {
            last = await visitor.Browser.SubmitAsync(await visitor.Browser.GetAsync("/account/forgot-password"), "main form",
                new Dictionary<string, string> { ["Input.Email"] = "flooded@example.com" });
            statuses.Add(last.Status);
        }

        // Five requests per address per 15 minutes, then 429 with Retry-After; three mails per account per hour.
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 5), HttpStatusCode.TooManyRequests], statuses);
        Assert.NotNull(last!.Response.Headers.RetryAfter);
        Assert.Contains("Too many password reset requests from your network", last.Text(".error-summary"), StringComparison.Ordinal);
        Assert.Equal(3, (await smtp.AfterAWhileAsync("flooded@example.com", "Reset your PFN Studio password")).Count);
    }

    [Fact]
    public async Task ABadResetFormChangesNothing()
    {
        using var smtp = new SmtpTestServer();
        await using var app = new TokensApplication { Settings = smtp.Settings };
        var victim = await app.CreateUserAsync("victim@example.com");
        await app.CreateUserAsync("attacker@example.com");
        var attacker = new Person(app);
        await attacker.Browser.SubmitAsync(await attacker.Browser.GetAsync("/account/forgot-password"), "main form",
            new Dictionary<string, string> { ["Input.Email"] = "attacker@example.com" });
        var link = SmtpTestServer.LinkPath(await smtp.WaitForAsync("attacker@example.com", "Reset your PFN Studio password"));
        var form = await attacker.Browser.GetAsync(link);

        async Task<BrowserSession.Page> PostAsync(string? userId, string? code, string password, string confirm)
        {
            var fields = BrowserSession.FormFields((AngleSharp.Html.Dom.IHtmlFormElement)form.Document.QuerySelector("main form")!);
            fields.RemoveAll(f => f.Key is "Input.NewPassword" or "Input.ConfirmPassword"
                || (userId is not null && f.Key == "Input.UserId") || (code is not null && f.Key == "Input.Code"));
            fields.Add(new("Input.NewPassword", password));
            fields.Add(new("Input.ConfirmPassword", confirm));
            if (userId is not null) fields.Add(new("Input.UserId", userId));
            if (code is not null) fields.Add(new("Input.Code", code));
            return await attacker.Browser.PostAsync(form, (AngleSharp.Html.Dom.IHtmlFormElement)form.Document.QuerySelector("main form")!, fields);
        }

        // The attacker's own code under the victim's id, a mangled code, a weak and a mismatched password.
        Assert.Contains("not valid any more", (await PostAsync(victim.Id, null, NewPassword, NewPassword)).Text(".error-summary"), StringComparison.Ordinal);
        Assert.Contains("not valid any more", (await PostAsync(null, "%%%not-base64", NewPassword, NewPassword)).Text(".error-summary"), StringComparison.Ordinal);
        Assert.Contains("10 to 256 characters", string.Join(" ", (await PostAsync(null, null, "short", "short")).Texts(".field-error")), StringComparison.Ordinal);
        Assert.Contains("The two new passwords differ.", string.Join(" ", (await PostAsync(null, null, NewPassword, NewPassword + "x")).Texts(".field-error")), StringComparison.Ordinal);

        // Nothing changed: both still sign in with the old password.
        foreach (var email in new[] { "victim@example.com", "attacker@example.com" })
        {
            Assert.Equal("/", (await new Person(app).SignInAsync(email, TokensApplication.Password)).Url.AbsolutePath);
        }
    }

    [Fact]
    public async Task PasswordChangeAndTwoFactorOffSendANoticeToTheOwner()
    {
        using var smtp = new SmtpTestServer();
        await using var app = new TokensApplication { Settings = smtp.Settings };
        var person = new Person(app);
        await person.Browser.SignUpAsync("notices@example.com");

        await person.Browser.ChangePasswordAsync(TokensApplication.Password, NewPassword);
        var changed = await smtp.WaitForAsync("notices@example.com", "Your PFN Studio password was changed");
        Assert.Contains("on the account page", changed.TextBody, StringComparison.Ordinal);
        Assert.Contains(SmtpTestServer.PublicUrl + "/api-tokens", changed.TextBody, StringComparison.Ordinal);

        var setup = await person.Browser.GetAsync("/account/two-factor");
        var key = setup.Text(".authenticator-key");
        await person.Browser.SubmitAsync(setup, "form.enable-two-factor", new Dictionary<string, string> { ["Input.Code"] = TwoFactorTests.Totp(app.Clock, key) });
        var on = await person.Browser.GetAsync("/account/two-factor");
        await person.Browser.SubmitAsync(on, "form.disable-two-factor", new Dictionary<string, string> { ["Input.DisableCode"] = TwoFactorTests.Totp(app.Clock, key) });

        var off = await smtp.WaitForAsync("notices@example.com", "Two-factor authentication is off");
        Assert.Contains("notices@example.com", off.TextBody, StringComparison.Ordinal);
        var account = await person.Browser.GetAsync("/account");
        Assert.Equal(["Two-factor authentication off", "Two-factor authentication on", "Password changed"],
            account.Texts("table.account-activity td.what").Select(t => t.Split(" \u2014 ")[0]).ToArray());
    }

    [Fact]
    public async Task WithAMailServerSignUpMailsTheConfirmationLink()
    {
        using var smtp = new SmtpTestServer();
        var settings = smtp.Settings;
        settings["Accounts:RequireConfirmedEmail"] = "true";
        await using var app = new TokensApplication { Settings = settings };
        var person = new Person(app);
        await person.Browser.SignUpAsync("confirm-me@example.com");
        Assert.Contains("Confirm your email address before signing in.",
            (await new Person(app).SignInAsync("confirm-me@example.com", TokensApplication.Password)).Text(".error-summary"), StringComparison.Ordinal);

        var mail = await smtp.WaitForAsync("confirm-me@example.com", "Confirm your PFN Studio e-mail address");
        var confirmed = await person.Browser.GetAsync(SmtpTestServer.LinkPath(mail));
        Assert.Equal(HttpStatusCode.OK, confirmed.Status);
        Assert.Equal("/", (await new Person(app).SignInAsync("confirm-me@example.com", TokensApplication.Password)).Url.AbsolutePath);
    }

    [Fact]
    public async Task WithoutAMailServerThereIsNoForgotPasswordAndMailGoesToTheLogWithoutSecretLinks()
    {
        await using var app = new TokensApplication();
        var visitor = new Person(app);
        var signIn = await visitor.Browser.GetAsync("/account/sign-in");
        Assert.Null(signIn.Document.QuerySelector("a[href='/account/forgot-password']"));
        Assert.Equal(HttpStatusCode.NotFound, (await visitor.Browser.Client.GetAsync("/account/forgot-password")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await visitor.Browser.Client.GetAsync("/account/reset-password?userId=x&code=y")).StatusCode);

        var person = new Person(app);
        await person.Browser.SignUpAsync("logged@example.com");
        await person.Browser.ChangePasswordAsync(TokensApplication.Password, NewPassword);
        static bool Logged(string m) => m.Contains("No mail server is configured", StringComparison.Ordinal) && m.Contains("password_changed", StringComparison.Ordinal);
        for (var i = 0; i < 100 && !app.Logs.Rendered().Any(Logged); i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Contains(app.Logs.Rendered(), Logged);
    }

    [Fact]
    public async Task IssuingAndALeakReportEachMailTheOwnerWithoutTheSecret()
    {
        using var smtp = new SmtpTestServer();
        await using var app = new TokensApplication { Settings = smtp.Settings };
        var person = new Person(app);
        await person.Browser.SignUpAsync("token-notices@example.com");
        var token = (await person.Browser.IssueOnPageAsync("deploy", "30")).RevealedToken()!;

        var issued = await smtp.WaitForAsync("token-notices@example.com", "A new PFN Studio API token: deploy");
        Assert.Contains("was issued", issued.TextBody, StringComparison.Ordinal);
        Assert.Contains("Access:  pat (full access)", issued.TextBody, StringComparison.Ordinal);
        Assert.Contains(token[..(14 + 12)] + "…", issued.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(token, issued.TextBody, StringComparison.Ordinal);

        using var client = app.CreateClient();
        using var report = await client.PostAsJsonAsync("/api/v1/tokens/leaked",
            new { tokens = new[] { token }, url = "https://example.com/someone/repo/blob/main/.env" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, report.StatusCode);
        await app.Services.GetRequiredService<PfnStudio.Tokens.PersonalAccessTokens.LeakReports.LeakedTokenResponder>()
            .WhenQueuedReportsHandledAsync().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        var leaked = await smtp.WaitForAsync("token-notices@example.com", "\u201cdeploy\u201d was found in public and revoked");
        Assert.Contains("https://example.com/someone/repo/blob/main/.env", leaked.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(token, leaked.TextBody, StringComparison.Ordinal);
        using var api = app.CreateClientWithToken(token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/me", TestContext.Current.CancellationToken)).StatusCode);
    }
}
