using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Accounts;

/// <summary>
/// Each action that ends sessions refuses a replayed copy of the ended session's cookie on its very next request,
/// on the host that ended it and on a second host on the same store.
/// </summary>
public sealed class SessionEndTests
{
    [Fact]
    public async Task AfterSignOutAReplayedSessionCookieIsRefusedOnBothHosts()
    {
        await using var a = new TokensApplication();
        await using var b = new TokensApplication(a);
        var person = new Person(a);
        var home = await person.Browser.SignUpAsync("replay-out@example.com");
        var cookie = person.SessionCookie();
        await AssertOpensAsync(a, cookie);
        await AssertOpensAsync(b, cookie);

        await person.Browser.SubmitAsync(home, ".avatar-menu form");

        await AssertRefusedAsync(a, cookie);
        await AssertRefusedAsync(b, cookie);
    }

    [Fact]
    public async Task SignOutEverywhereEndsEverySessionThisOneIncludedOnBothHostsAndTokensKeepWorking()
    {
        await using var a = new TokensApplication();
        await using var b = new TokensApplication(a);
        var laptop = new Person(a);
        await laptop.Browser.SignUpAsync("everywhere@example.com");
        var token = (await laptop.Browser.IssueOnPageAsync("ci", "30")).RevealedToken()!;
        var phone = new Person(b);
        await phone.SignInAsync("everywhere@example.com", TokensApplication.Password);
        var laptopCookie = laptop.SessionCookie();
        var phoneCookie = phone.SessionCookie();
        await AssertOpensAsync(b, laptopCookie);
        await AssertOpensAsync(a, phoneCookie);

        var account = await laptop.Browser.GetAsync("/account");
        Assert.Equal("everywhere@example.com", account.Text(".account-email"));
        var after = await laptop.Browser.SubmitAsync(account, "form.sign-out-everywhere");
        Assert.Equal("/account/sign-in", after.Url.AbsolutePath);

        foreach (var host in new[] { a, b })
        {
            await AssertRefusedAsync(host, laptopCookie);
            await AssertRefusedAsync(host, phoneCookie);
        }

        using var api = b.CreateClientWithToken(token);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task APasswordChangeEndsTheOtherSessionsReissuesThisOneAndTokensKeepWorking()
    {
        await using var a = new TokensApplication();
        await using var b = new TokensApplication(a);
        var here = new Person(a);
        await here.Browser.SignUpAsync("change@example.com");
        var token = (await here.Browser.IssueOnPageAsync("ci", "30")).RevealedToken()!;
        var elsewhere = new Person(b);
        await elsewhere.SignInAsync("change@example.com", TokensApplication.Password);
        var oldHere = here.SessionCookie();
        var elsewhereCookie = elsewhere.SessionCookie();

        var changed = await here.Browser.ChangePasswordAsync(TokensApplication.Password, "a much newer passphrase");
        Assert.Contains("Every other session is signed out", changed.Text("p.notice"));

        await AssertRefusedAsync(a, elsewhereCookie);
        await AssertRefusedAsync(b, elsewhereCookie);
        await AssertRefusedAsync(b, oldHere);
        var newHere = here.SessionCookie();
        Assert.NotEqual(oldHere, newHere);
        await AssertOpensAsync(a, newHere);
        await AssertOpensAsync(b, newHere);
        Assert.Equal("API tokens", (await here.Browser.GetAsync("/api-tokens")).Text("h1"));

        using var api = a.CreateClientWithToken(token);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/me")).StatusCode);

        var fresh = new Person(b);
        var refused = await fresh.SignInAsync("change@example.com", TokensApplication.Password);
        Assert.Contains("Invalid email or password.", refused.Text(".error-summary"));
        var signedIn = await fresh.SignInAsync("change@example.com", "a much newer passphrase");
        Assert.Equal("C", signedIn.Text("summary.avatar"));
    }

    [Fact]
    public async Task AWrongCurrentPasswordOrAWeakNewOneSaysWhyAndChangesNothing()
    {
        await using var app = new TokensApplication();
        var person = new Person(app);
        await person.Browser.SignUpAsync("mistake@example.com");
        var cookie = person.SessionCookie();
        var stamp = await StampAsync(app, "mistake@example.com");

        var wrong = await person.Browser.ChangePasswordAsync("not the password at all", "a much newer passphrase");
        Assert.Contains("The current password is not right.", wrong.Text("[data-valmsg-for='Input.CurrentPassword']"));

        var weak = await person.Browser.ChangePasswordAsync(TokensApplication.Password, "short");
        Assert.Contains("at least 10", weak.Text("[data-valmsg-for='Input.NewPassword']"));

        Assert.Equal(stamp, await StampAsync(app, "mistake@example.com"));
        await AssertOpensAsync(app, cookie);
        var again = await new Person(app).SignInAsync("mistake@example.com", TokensApplication.Password);
        Assert.Equal("M", again.Text("summary.avatar"));
    }

    [Fact]
    public async Task ChangingThePasswordToTheSameOneIsAMessageAndEndsNoSession()
    {
        await using var app = new TokensApplication();
        var person = new Person(app);
        await person.Browser.SignUpAsync("same-password@example.com");
        var cookie = person.SessionCookie();

        var refused = await person.Browser.ChangePasswordAsync(TokensApplication.Password, TokensApplication.Password);
        Assert.Equal("The new password is the current one: choose another.", refused.Text("[data-valmsg-for='Input.NewPassword']"));
        await AssertOpensAsync(app, cookie);
    }

    [Fact]
    public async Task TheAccountPageNeedsASignedInPerson()
    {
        await using var app = new TokensApplication();
        using var anonymous = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = app.ClientOptions.BaseAddress, AllowAutoRedirect = false });
        using var response = await anonymous.GetAsync("/account");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/sign-in", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    private static Task<string?> StampAsync(TokensApplication app, string email) =>
        app.WithDbAsync(db => Task.FromResult(db.Users.Single(u => u.Email == email).SecurityStamp));

    internal static async Task AssertOpensAsync(TokensApplication host, string cookie)
    {
        using var response = await ReplayAsync(host, cookie);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    internal static async Task AssertRefusedAsync(TokensApplication host, string cookie)
    {
        using var response = await ReplayAsync(host, cookie);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/sign-in", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    // A bare client: no cookie jar, so only the copied cookie is sent, as an attacker holding a copy would send it.
    private static async Task<HttpResponseMessage> ReplayAsync(TokensApplication host, string cookie)
    {
        // Identity re-checks the stamp once more than ValidationInterval (zero) has passed since the cookie was
        // issued; a real clock always has, the fake one is moved on.
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        using var client = host.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = host.ClientOptions.BaseAddress, AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api-tokens");
        request.Headers.Add("Cookie", $"pfnstudio.session={cookie}");
        return await client.SendAsync(request);
    }
}
