using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Accounts;

/// <summary>/account/delete: the password (and a 2FA code when on) again, the last-owner refusal, then the operator's deletion.</summary>
public sealed class DeleteAccountPageTests
{
    private const string RevokedChallenge =
        "Bearer realm=\"pfnstudio\", error=\"invalid_token\", error_description=\"The token is unknown or has been revoked.\"";

    [Fact]
    public async Task AWrongPasswordIsRefusedAndNothingChanges()
    {
        await using var app = new TokensApplication();
        var person = new Person(app);
        await person.Browser.SignUpAsync("stay@example.com");
        var token = (await person.Browser.IssueOnPageAsync("laptop")).RevealedToken()!;

        var account = await person.Browser.GetAsync("/account");
        Assert.NotNull(account.Document.QuerySelector("a[href='/account/delete']"));
        var refused = await SubmitAsync(person, "not my password");

        Assert.Equal("/account/delete", refused.Url.AbsolutePath);
        Assert.Equal("The password is not right.", refused.Text("[data-valmsg-for='Input.Password']"));
        Assert.Equal("S", refused.Text("summary.avatar"));
        using var api = app.CreateClientWithToken(token);
        using (var me = await api.GetAsync("/api/v1/me"))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }

        Assert.Equal(0, await app.WithDbAsync(db => db.Users.CountAsync(u => u.DeletedAt != null)));
        Assert.Equal(1, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync(t => t.RevokedAt == null)));
        Assert.Equal(0, await app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Kind == AuditEventKind.AccountDeleted)));
    }

    [Fact]
    public async Task TheLastOwnerOfAnOrganizationWithOtherMembersIsRefusedWithTheOrganizationNamed()
    {
        await using var app = new TokensApplication();
        var owner = new Person(app);
        await owner.Browser.SignUpAsync("first@example.com"); // the first account owns the default organization
        await new Person(app).Browser.SignUpAsync("second@example.com");

        var refused = await SubmitAsync(owner, TokensApplication.Password);

        Assert.Equal(
            "You are the last owner of organization \"pfnstudio\", which has other members. Make one of them an owner, or remove them, first. Nothing was deleted.",
            refused.Text(".error-summary"));
        Assert.Equal("F", refused.Text("summary.avatar"));
        Assert.Equal(0, await app.WithDbAsync(db => db.Users.CountAsync(u => u.DeletedAt != null)));
        Assert.Equal(2, await app.WithDbAsync(db => db.Memberships.CountAsync()));
    }

    [Fact]
    public async Task WithTwoFactorOnAWrongOrMissingCodeIsRefusedAndNothingChanges()
    {
        await using var app = new TokensApplication();
        var person = new Person(app);
        await person.Browser.SignUpAsync("careful@example.com");
        using (var scope = app.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = (await users.FindByEmailAsync("careful@example.com"))!;
            await users.ResetAuthenticatorKeyAsync(user);
            await users.SetTwoFactorEnabledAsync(user, true);
        }

        var form = await person.Browser.GetAsync("/account/delete");
        Assert.Equal("Authentication code", form.Text("label[for='Input_Code']"));
        foreach (var code in new[] { "", "12345x" })
        {
            var refused = await person.Browser.SubmitAsync(form, "form.delete-account", new Dictionary<string, string>
            {
                ["Input.Password"] = TokensApplication.Password,
                ["Input.Code"] = code,
            });
            Assert.Equal("The authentication code is not right.", refused.Text("[data-valmsg-for='Input.Code']"));
        }

        Assert.Equal(0, await app.WithDbAsync(db => db.Users.CountAsync(u => u.DeletedAt != null)));
    }

    [Fact]
    public async Task DeletingRevokesTheTokensEndsTheSessionAndTheOldPasswordNoLongerSignsIn()
    {
        await using var app = new TokensApplication();
        var person = new Person(app);
        await person.Browser.SignUpAsync("leaving@example.com");
        var token = (await person.Browser.IssueOnPageAsync("laptop")).RevealedToken()!;
        var cookie = person.SessionCookie();
        var userId = await app.WithDbAsync(db => db.Users.Where(u => u.Email == "leaving@example.com").Select(u => u.Id).SingleAsync());

        var home = await SubmitAsync(person, TokensApplication.Password);

        Assert.Equal("/", home.Url.AbsolutePath);
        Assert.Equal("Your account is deleted: its tokens are revoked and every session is signed out.", home.Text("p.notice"));
        Assert.Null(home.Document.QuerySelector("summary.avatar"));
        using var api = app.CreateClientWithToken(token);
        using (var me = await api.GetAsync("/api/v1/me"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
            Assert.Equal(RevokedChallenge, me.Headers.WwwAuthenticate.ToString());
        }

        // The copied session cookie is refused: the deletion changed the stamp.
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        using (var replay = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = app.ClientOptions.BaseAddress, AllowAutoRedirect = false, HandleCookies = false }))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api-tokens");
            request.Headers.Add("Cookie", $"pfnstudio.session={cookie}");
            using var response = await replay.SendAsync(request);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/sign-in", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        var signIn = await new Person(app).SignInAsync("leaving@example.com", TokensApplication.Password);
        Assert.Equal("Invalid email or password.", signIn.Text(".error-summary"));
        var audit = await app.WithDbAsync(db => db.AuditEvents.Where(e => e.UserId == userId && e.Kind == AuditEventKind.AccountDeleted)
            .Select(e => e.Detail).ToListAsync());
        Assert.Equal(["deleted by its owner on the account page"], audit);
        Assert.Equal(1, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync(t => t.UserId == userId && t.RevokedAt != null)));
    }

    private static async Task<BrowserSession.Page> SubmitAsync(Person person, string password) =>
        await person.Browser.SubmitAsync(await person.Browser.GetAsync("/account/delete"), "form.delete-account",
            new Dictionary<string, string> { ["Input.Password"] = password });
}
