using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Accounts;

/// <summary>
/// Two-factor authentication with an authenticator app, driven through the pages. The codes are computed here from
/// the key the page shows (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits) on the real clock, which is the clock
/// Identity's authenticator token provider reads (not the host's TimeProvider).
/// </summary>
public sealed class TwoFactorTests
{
    [Fact]
    public async Task SetUpShowsAServerDrawnQrCodeAndTheKeyAndOnlyTheRightCodeTurnsItOnWithTenRecoveryCodesShownOnce()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("setup@example.com");

        var account = await browser.GetAsync("/account");
        Assert.Equal("Set up two-factor authentication", account.Text("a.two-factor-link"));
        var setUp = await browser.GetAsync(account.Document.QuerySelector("a.two-factor-link")!.GetAttribute("href")!);
        Assert.Equal("/account/two-factor", setUp.Url.AbsolutePath);
        Assert.True(setUp.Response.Headers.CacheControl?.NoStore);
        Assert.StartsWith("Off.", setUp.Text(".two-factor-state"), StringComparison.Ordinal);
        var src = setUp.Document.QuerySelector("img.qr-code")!.GetAttribute("src")!;
        Assert.StartsWith("data:image/svg+xml;base64,", src, StringComparison.Ordinal);
        Assert.Contains("<svg", Encoding.UTF8.GetString(Convert.FromBase64String(src["data:image/svg+xml;base64,".Length..])), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(setUp.Document.QuerySelector("img.qr-code")!.GetAttribute("alt")));
        var shownKey = setUp.Text(".authenticator-key");
        Assert.Matches("^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$", shownKey);
        Assert.Equal(shownKey.Replace(" ", "", StringComparison.Ordinal), await KeyAsync(app, "setup@example.com"));

        // Reloading the page shows the same key: the app scanned first still matches.
        Assert.Equal(shownKey, (await browser.GetAsync("/account/two-factor")).Text(".authenticator-key"));

        var wrong = await browser.SubmitAsync(setUp, "form.enable-two-factor", new Dictionary<string, string> { ["Input.Code"] = WrongCode(app.Clock, shownKey) });
        Assert.Equal("That code is not right. Enter the 6-digit code your authenticator app shows now.", wrong.Text("[data-valmsg-for='Input.Code']"));
        Assert.Empty(wrong.Document.QuerySelectorAll(".recovery-codes li"));
        var empty = await browser.SubmitAsync(setUp, "form.enable-two-factor", new Dictionary<string, string> { ["Input.Code"] = "" });
        Assert.Equal("Enter the 6-digit code from your authenticator app.", empty.Text("[data-valmsg-for='Input.Code']"));
        Assert.False(await EnabledAsync(app, "setup@example.com"));

        var on = await browser.SubmitAsync(setUp, "form.enable-two-factor", new Dictionary<string, string> { ["Input.Code"] = Totp(app.Clock, shownKey) });
        Assert.True(on.Response.Headers.CacheControl?.NoStore);
        Assert.Equal("Save these recovery codes. They are shown only once.", on.Text(".recovery-codes h2"));
        var codes = on.Texts(".recovery-codes li");
        Assert.Equal(10, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches("^[A-Z0-9]{5}-[A-Z0-9]{5}$", c));
        Assert.StartsWith("On.", on.Text(".two-factor-state"), StringComparison.Ordinal);
        Assert.True(await EnabledAsync(app, "setup@example.com"));

        // This session was re-issued with the new stamp and keeps working; the codes are not shown again.
        var again = await browser.GetAsync("/account/two-factor");
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Empty(again.Document.QuerySelectorAll(".recovery-codes li"));
        Assert.Equal("Recovery codes left: 10 of 10.", again.Text(".recovery-codes-left"));
        Assert.Null(again.Document.QuerySelector("img.qr-code"));
        Assert.Equal("Manage two-factor authentication", (await browser.GetAsync("/account")).Text("a.two-factor-link"));
    }

    [Fact]
    public async Task AfterwardsSignInAsksForTheCodeCountsAWrongOneAndKeepsTheLocalReturnUrl()
    {
        await using var app = new TokensApplication();
        var key = await EnableAsync(app, "signin@example.com");

        using var browser = app.CreateBrowser();
        var step = await SignInAsync(browser, "signin@example.com", "/organizations");
        Assert.Equal("/account/sign-in/two-factor", step.Url.AbsolutePath);
        Assert.Equal("?ReturnUrl=%2Forganizations&RememberMe=False", step.Url.Query);
        Assert.Null(step.Document.QuerySelector("summary.avatar"));

        // The password alone opens nothing.
        var tokens = await browser.GetAsync("/api-tokens");
        Assert.Equal("/account/sign-in", tokens.Url.AbsolutePath);

        step = await SignInAsync(browser, "signin@example.com", "/organizations");
        var wrong = await browser.SubmitAsync(step, "form.two-factor-sign-in", new Dictionary<string, string> { ["Input.Code"] = WrongCode(app.Clock, key) });
        Assert.Equal("That code is not right. Enter the 6-digit code your authenticator app shows now.", wrong.Text("[data-valmsg-for='Input.Code']"));
        Assert.Null(wrong.Document.QuerySelector("summary.avatar"));
        Assert.Equal(1, await FailedCountAsync(app, "signin@example.com"));

        var signedIn = await browser.SubmitAsync(wrong, "form.two-factor-sign-in", new Dictionary<string, string> { ["Input.Code"] = Totp(app.Clock, key) });
        Assert.Equal("/organizations", signedIn.Url.AbsolutePath);
        Assert.Equal("S", signedIn.Text("summary.avatar"));
        Assert.Equal(0, await FailedCountAsync(app, "signin@example.com"));

        // A foreign returnUrl is dropped at the password step, as on SignIn.
        using var other = app.CreateBrowser();
        var foreign = await SignInAsync(other, "signin@example.com", "https://evil.example/");
        Assert.Equal("?RememberMe=False", foreign.Url.Query);
        var home = await other.SubmitAsync(foreign, "form.two-factor-sign-in", new Dictionary<string, string> { ["Input.Code"] = Totp(app.Clock, key) });
        Assert.Equal("/", home.Url.AbsolutePath);
        Assert.Equal("S", home.Text("summary.avatar"));
    }

    [Fact]
    public async Task ACodeIsAcceptedOnceAndNeitherItNorAnEarlierOneAgainOnAnyForm()
    {
        await using var app = new TokensApplication();
        var key = await EnableAsync(app, "once@example.com");
        using var browser = app.CreateBrowser();
        var code = Totp(app.Clock, key);
        var earlier = TotpAt(key, app.Clock.GetUtcNow().AddSeconds(-30));
        Assert.Equal("O", (await browser.SubmitAsync(await SignInAsync(browser, "once@example.com"), "form.two-factor-sign-in",
            new Dictionary<string, string> { ["Input.Code"] = code })).Text("summary.avatar"));

        // Someone who watched it being typed signs in with the password and the same code, still within its 90 s.
        app.Clock.Advance(TimeSpan.FromSeconds(20));
        using var watcher = app.CreateBrowser();
        foreach (var replayed in new[] { code, earlier })
        {
            var refused = await watcher.SubmitAsync(await SignInAsync(watcher, "once@example.com"), "form.two-factor-sign-in",
                new Dictionary<string, string> { ["Input.Code"] = replayed });
            Assert.Equal("That code is not right. Enter the 6-digit code your authenticator app shows now.", refused.Text("[data-valmsg-for='Input.Code']"));
            Assert.Null(refused.Document.QuerySelector("summary.avatar"));
        }

        // Nor does it turn 2FA off in the session it signed in.
        var page = await browser.GetAsync("/account/two-factor");
        var off = await browser.SubmitAsync(page, "form.disable-two-factor", new Dictionary<string, string> { ["Input.DisableCode"] = code });
        Assert.Equal("That code is not right. Enter the 6-digit code your authenticator app shows now.", off.Text("[data-valmsg-for='Input.DisableCode']"));
        Assert.True(await EnabledAsync(app, "once@example.com"));

        // The app's next code works, once.
        await browser.SubmitAsync(await browser.GetAsync("/account/two-factor"), "form.disable-two-factor",
            new Dictionary<string, string> { ["Input.DisableCode"] = Totp(app.Clock, key) });
        Assert.False(await EnabledAsync(app, "once@example.com"));
    }

    [Fact]
    public async Task TurnedOffAndOnAgainWithANewKeyItsFirstCodeWorksInTheSameStep()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("again@example.com");
        var (key, _) = await EnableOnPageAsync(app, browser);
        await browser.SubmitAsync(await browser.GetAsync("/account/two-factor"), "form.disable-two-factor",
            new Dictionary<string, string> { ["Input.DisableCode"] = Totp(app.Clock, key) });
        Assert.False(await EnabledAsync(app, "again@example.com"));

        // The clock stays in the step the old key's code was used in.
        var setUp = await browser.GetAsync("/account/two-factor");
        var newKey = setUp.Text(".authenticator-key");
        Assert.NotEqual(key, newKey);
        var on = await browser.SubmitAsync(setUp, "form.enable-two-factor", new Dictionary<string, string> { ["Input.Code"] = TotpAt(newKey, app.Clock.GetUtcNow()) });
        Assert.Equal(10, on.Texts(".recovery-codes li").Count);
        Assert.True(await EnabledAsync(app, "again@example.com"));
    }

    [Fact]
    public async Task FiveWrongCodesLockTheAccountAndTheRightCodeThenWaits()
    {
        await using var app = new TokensApplication();
        var key = await EnableAsync(app, "guess@example.com");
        using var browser = app.CreateBrowser();
        var step = await SignInAsync(browser, "guess@example.com");
        for (var i = 0; i < 5; i++)
        {
            step = await browser.SubmitAsync(step, "form.two-factor-sign-in", new Dictionary<string, string> { ["Input.Code"] = WrongCode(app.Clock, key) });
        }

        var locked = await browser.SubmitAsync(step, "form.two-factor-sign-in", new Dictionary<string, string> { ["Input.Code"] = Totp(app.Clock, key) });
        Assert.Equal("Too many failed attempts. This account is locked for a few minutes; try again later.", locked.Text("[data-valmsg-for='Input.Code']"));
        Assert.Null(locked.Document.QuerySelector("summary.avatar"));
    }

    [Fact]
    public async Task ARecoveryCodeSignsInOnceAndNotTwice()
    {
        await using var app = new TokensApplication();
        var (_, codes) = await EnableWithCodesAsync(app, "recover@example.com");

        using var first = app.CreateBrowser();
        var step = await SignInAsync(first, "recover@example.com", "/api-tokens");
        var recovery = await first.GetAsync(step.Document.QuerySelector("a.use-recovery-code")!.GetAttribute("href")!);
        Assert.Equal("/account/sign-in/recovery-code", recovery.Url.AbsolutePath);
        var wrong = await first.SubmitAsync(recovery, "form.recovery-code-sign-in", new Dictionary<string, string> { ["Input.RecoveryCode"] = "AAAAA-AAAAA" });
        Assert.Equal("That recovery code is not right, or it was already used.", wrong.Text("[data-valmsg-for='Input.RecoveryCode']"));
        Assert.Equal(1, await FailedCountAsync(app, "recover@example.com"));

        // Typed in lower case without the hyphen, as people do.
        var typed = codes[3].Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        var signedIn = await first.SubmitAsync(wrong, "form.recovery-code-sign-in", new Dictionary<string, string> { ["Input.RecoveryCode"] = typed });
        Assert.Equal("/api-tokens", signedIn.Url.AbsolutePath);
        Assert.Equal("API tokens", signedIn.Text("h1"));
        Assert.Equal("Recovery codes left: 9 of 10.", (await first.GetAsync("/account/two-factor")).Text(".recovery-codes-left"));

        using var second = app.CreateBrowser();
        var again = await second.GetAsync((await SignInAsync(second, "recover@example.com")).Document.QuerySelector("a.use-recovery-code")!.GetAttribute("href")!);
        var refused = await second.SubmitAsync(again, "form.recovery-code-sign-in", new Dictionary<string, string> { ["Input.RecoveryCode"] = codes[3] });
        Assert.Equal("That recovery code is not right, or it was already used.", refused.Text("[data-valmsg-for='Input.RecoveryCode']"));
        Assert.Null(refused.Document.QuerySelector("summary.avatar"));
        Assert.Equal("/account/sign-in", (await second.GetAsync("/api-tokens")).Url.AbsolutePath);
    }

    [Fact]
    public async Task TheSecondStepWithoutThePasswordStepGoesBackToThePassword()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        var code = await browser.GetAsync("/account/sign-in/two-factor?returnUrl=%2Forganizations");
        Assert.Equal("/account/sign-in", code.Url.AbsolutePath);
        Assert.Equal("?ReturnUrl=%2Forganizations", code.Url.Query);
        var recovery = await browser.GetAsync("/account/sign-in/recovery-code");
        Assert.Equal("/account/sign-in", recovery.Url.AbsolutePath);
    }

    [Fact]
    public async Task TurningItOffNeedsACodeOrARecoveryCodeAndThenThePasswordIsEnoughAgain()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("off@example.com");
        var (key, codes) = await EnableOnPageAsync(app, browser);

        var page = await browser.GetAsync("/account/two-factor");
        var wrong = await browser.SubmitAsync(page, "form.disable-two-factor", new Dictionary<string, string> { ["Input.DisableCode"] = WrongCode(app.Clock, key) });
        Assert.Equal("That code is not right. Enter the 6-digit code your authenticator app shows now.", wrong.Text("[data-valmsg-for='Input.DisableCode']"));
        var wrongRecovery = await browser.SubmitAsync(page, "form.disable-two-factor", new Dictionary<string, string> { ["Input.DisableCode"] = "BBBBB-BBBBB" });
        Assert.Equal("That code is not right, or that recovery code was already used.", wrongRecovery.Text("[data-valmsg-for='Input.DisableCode']"));
        var empty = await browser.SubmitAsync(page, "form.disable-two-factor", new Dictionary<string, string> { ["Input.DisableCode"] = "" });
        Assert.Equal("Enter the 6-digit code from your authenticator app.", empty.Text("[data-valmsg-for='Input.DisableCode']"));
        Assert.True(await EnabledAsync(app, "off@example.com"));

        var off = await browser.SubmitAsync(page, "form.disable-two-factor", new Dictionary<string, string> { ["Input.DisableCode"] = codes[0] });
        Assert.Equal("Two-factor authentication is off. Your other sessions are signed out; your API tokens keep working.", off.Text("p.notice"));
        Assert.StartsWith("Off.", off.Text(".two-factor-state"), StringComparison.Ordinal);
        Assert.False(await EnabledAsync(app, "off@example.com"));

        // The key is replaced: the old app entry would not turn it back on.
        Assert.NotEqual(key, off.Text(".authenticator-key"));

        using var fresh = app.CreateBrowser();
        var signedIn = await SignInAsync(fresh, "off@example.com");
        Assert.Equal("/", signedIn.Url.AbsolutePath);
        Assert.Equal("O", signedIn.Text("summary.avatar"));
    }

    [Fact]
    public async Task TurningItOffWithTheAppsCodeWorksToo()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("off-app@example.com");
        var (key, _) = await EnableOnPageAsync(app, browser);
        var off = await browser.SubmitAsync(await browser.GetAsync("/account/two-factor"), "form.disable-two-factor",
            new Dictionary<string, string> { ["Input.DisableCode"] = Totp(app.Clock, key) });
        Assert.StartsWith("Off.", off.Text(".two-factor-state"), StringComparison.Ordinal);
        Assert.False(await EnabledAsync(app, "off-app@example.com"));
    }

    [Fact]
    public async Task NewRecoveryCodesNeedTheAppsCodeAndTheOldOnesStopWorking()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("renew@example.com");
        var (key, old) = await EnableOnPageAsync(app, browser);

        var page = await browser.GetAsync("/account/two-factor");
        var wrong = await browser.SubmitAsync(page, "form.new-recovery-codes", new Dictionary<string, string> { ["Input.RecoveryCodesCode"] = WrongCode(app.Clock, key) });
        Assert.Equal("That code is not right. Enter the 6-digit code your authenticator app shows now.", wrong.Text("[data-valmsg-for='Input.RecoveryCodesCode']"));
        Assert.Empty(wrong.Document.QuerySelectorAll(".recovery-codes li"));

        var renewed = await browser.SubmitAsync(page, "form.new-recovery-codes", new Dictionary<string, string> { ["Input.RecoveryCodesCode"] = Totp(app.Clock, key) });
        Assert.True(renewed.Response.Headers.CacheControl?.NoStore);
        var fresh = renewed.Texts(".recovery-codes li");
        Assert.Equal(10, fresh.Count);
        Assert.Empty(fresh.Intersect(old));

        using var other = app.CreateBrowser();
        var step = await other.GetAsync((await SignInAsync(other, "renew@example.com")).Document.QuerySelector("a.use-recovery-code")!.GetAttribute("href")!);
        var refused = await other.SubmitAsync(step, "form.recovery-code-sign-in", new Dictionary<string, string> { ["Input.RecoveryCode"] = old[0] });
        Assert.Equal("That recovery code is not right, or it was already used.", refused.Text("[data-valmsg-for='Input.RecoveryCode']"));
        var signedIn = await other.SubmitAsync(refused, "form.recovery-code-sign-in", new Dictionary<string, string> { ["Input.RecoveryCode"] = fresh[0] });
        Assert.Equal("R", signedIn.Text("summary.avatar"));
    }

    [Fact]
    public async Task TokensKeepWorkingWhenTwoFactorIsTurnedOnAndOff()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("tokens-2fa@example.com");
        var token = (await browser.IssueOnPageAsync("ci", "30")).RevealedToken()!;
        using var api = app.CreateClientWithToken(token);

        var (key, _) = await EnableOnPageAsync(app, browser);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/me")).StatusCode);

        await browser.SubmitAsync(await browser.GetAsync("/account/two-factor"), "form.disable-two-factor",
            new Dictionary<string, string> { ["Input.DisableCode"] = Totp(app.Clock, key) });
        Assert.False(await EnabledAsync(app, "tokens-2fa@example.com"));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task TurningItOnOrOffSignsOutTheOtherSessionsAndKeepsThisOne()
    {
        await using var app = new TokensApplication();
        using var here = app.CreateBrowser();
        await here.SignUpAsync("others@example.com");
        using var laptop = app.CreateBrowser();
        Assert.Equal("O", (await SignInAsync(laptop, "others@example.com")).Text("summary.avatar"));

        var (key, _) = await EnableOnPageAsync(app, here);
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("/account/sign-in", (await laptop.GetAsync("/api-tokens")).Url.AbsolutePath);
        Assert.Equal("API tokens", (await here.GetAsync("/api-tokens")).Text("h1"));

        using var phone = app.CreateBrowser();
        var step = await SignInAsync(phone, "others@example.com");
        Assert.Equal("O", (await phone.SubmitAsync(step, "form.two-factor-sign-in", new Dictionary<string, string> { ["Input.Code"] = Totp(app.Clock, key) })).Text("summary.avatar"));
        await here.SubmitAsync(await here.GetAsync("/account/two-factor"), "form.disable-two-factor", new Dictionary<string, string> { ["Input.DisableCode"] = Totp(app.Clock, key) });
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("/account/sign-in", (await phone.GetAsync("/api-tokens")).Url.AbsolutePath);
        Assert.Equal("API tokens", (await here.GetAsync("/api-tokens")).Text("h1"));
    }

    [Fact]
    public async Task ThePasswordStepsTwoFactorCookieIsHttpOnlySecureAndSameSite()
    {
        await using var app = new TokensApplication();
        await EnableAsync(app, "cookie-2fa@example.com");
        using var browser = app.CreateBrowser(followRedirects: false);
        var step = await SignInAsync(browser, "cookie-2fa@example.com");
        Assert.Equal(HttpStatusCode.Redirect, step.Status);
        var cookie = Assert.Single(step.Response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("pfnstudio.two-factor=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Matches("(?i)samesite=lax", cookie);
        Assert.DoesNotContain(step.Response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("pfnstudio.session=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheTwoFactorPageNeedsASignedInPerson()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser(followRedirects: false);
        var page = await browser.GetAsync("/account/two-factor");
        Assert.Equal(HttpStatusCode.Redirect, page.Status);
        Assert.StartsWith("/account/sign-in", page.Response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    /// <summary>
    /// The code an authenticator app shows for <paramref name="key"/> (Base32, spaces allowed) on the host's clock, once
    /// that clock has moved on to the next 30-second step: each code is accepted once (RFC 6238 §5.2), so each use takes
    /// a fresh one, as a person waits for the app's next code.
    /// </summary>
    internal static string Totp(FakeTimeProvider clock, string key)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        clock.Advance(TimeSpan.FromSeconds(30 - (now % 30)));
        return TotpAt(key, clock.GetUtcNow());
    }

    /// <summary>The RFC 6238 code for <paramref name="key"/> (Base32, spaces allowed) at <paramref name="at"/>.</summary>
    internal static string TotpAt(string key, DateTimeOffset at)
    {
        var step = at.ToUnixTimeSeconds() / 30;
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        // RFC 6238's default, which authenticator apps and Identity use; HMAC-SHA1 is not broken as a MAC.
#pragma warning disable CA5350
        var hash = HMACSHA1.HashData(Base32(key), counter);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0f;
        var binary = (BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset, 4)) & 0x7fffffff) % 1_000_000;
        return binary.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    // A 6-digit code that is none of the codes Identity accepts now (its window is two steps either side).
    private static string WrongCode(FakeTimeProvider clock, string key)
    {
        var accepted = Enumerable.Range(-3, 7).Select(i => TotpAt(key, clock.GetUtcNow().AddSeconds(30 * i))).ToHashSet();
        return Enumerable.Range(0, 100).Select(i => i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).First(c => !accepted.Contains(c));
    }

    private static byte[] Base32(string key)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in key.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant())
        {
            buffer = (buffer << 5) | Alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. bytes];
    }

    private static async Task<BrowserSession.Page> SignInAsync(BrowserSession browser, string email, string returnUrl = "/") =>
        await browser.SubmitAsync(await browser.GetAsync($"/account/sign-in?returnUrl={Uri.EscapeDataString(returnUrl)}"), "main form", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = TokensApplication.Password,
        });

    // Turns 2FA on through the page in this (signed-in) browser; returns the key shown and the recovery codes.
    private static async Task<(string Key, IReadOnlyList<string> Codes)> EnableOnPageAsync(TokensApplication app, BrowserSession browser)
    {
        var setUp = await browser.GetAsync("/account/two-factor");
        var key = setUp.Text(".authenticator-key");
        var on = await browser.SubmitAsync(setUp, "form.enable-two-factor", new Dictionary<string, string> { ["Input.Code"] = Totp(app.Clock, key) });
        var codes = on.Texts(".recovery-codes li");
        Assert.Equal(10, codes.Count);
        return (key, codes);
    }

    private static async Task<(string Key, IReadOnlyList<string> Codes)> EnableWithCodesAsync(TokensApplication app, string email)
    {
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync(email);
        var enabled = await EnableOnPageAsync(app, browser);
        await browser.SubmitAsync(await browser.GetAsync("/"), ".avatar-menu form");
        return enabled;
    }

    private static async Task<string> EnableAsync(TokensApplication app, string email) => (await EnableWithCodesAsync(app, email)).Key;

    private static Task<bool> EnabledAsync(TokensApplication app, string email) =>
        app.WithDbAsync(async db => (await db.Users.SingleAsync(u => u.Email == email)).TwoFactorEnabled);

    private static Task<int> FailedCountAsync(TokensApplication app, string email) =>
        app.WithDbAsync(async db => (await db.Users.SingleAsync(u => u.Email == email)).AccessFailedCount);

    private static Task<string?> KeyAsync(TokensApplication app, string email) =>
        app.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.Email == email);
            return (await db.UserTokens.SingleOrDefaultAsync(t => t.UserId == user.Id && t.Name == "AuthenticatorKey"))?.Value;
        });
}
