using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.Organizations;
using PfnStudio.Tokens.PersonalAccessTokens;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Organizations;

/// <summary>
/// An organization's token policy (owners set it on the members page): the longest token lifetime, and whether
/// full-access tokens may reach its projects. Enforced on the organization's project routes from the next request,
/// in the projects list, and when a fine-grained token for it is issued, regenerated or rotated.
/// </summary>
public sealed class TokenPolicyTests
{
    private const string Org = OrganizationOptions.DefaultOrganizationSlug;
    private const string Project = OrganizationOptions.DefaultProjectSlug;

    [Fact]
    public async Task AnOwnerSetsThePolicyOnThePageAndTokensThatBreakItGet403NamingItFromTheNextRequest()
    {
        await using var app = new TokensApplication();
        var owner = new Person(app);
        await owner.Browser.SignUpAsync("policy-owner@example.com");
        var userId = await app.WithDbAsync(db => db.Users.Where(u => u.Email == "policy-owner@example.com").Select(u => u.Id).SingleAsync());
        var full = await app.IssueTokenAsync(userId, "full", expiresInDays: 10);
        var forever = await app.IssueFineGrainedTokenAsync(userId, "forever", Org, ["read"]);
        var month = await app.IssueFineGrainedTokenAsync(userId, "month", Org, ["read"], expiresInDays: 30);
        foreach (var token in new[] { full, forever, month })
        {
            Assert.Equal(HttpStatusCode.OK, await RunsStatusAsync(app, token));
        }

        var page = await owner.Browser.GetAsync($"/organizations/{Org}/members");
        Assert.Equal("no restrictions", page.Text(".token-policy"));
        var saved = await owner.Browser.SubmitAsync(page, "form.token-policy-form", new Dictionary<string, string>
        {
            ["Policy.MaxTokenLifetimeDays"] = "30",
            ["Policy.AllowFullAccessTokens"] = "false",
        });
        Assert.Contains($"Token policy of {Org}: tokens live at most 30 days; only fine-grained tokens.", saved.Text("p.notice"), StringComparison.Ordinal);

        using (var refused = await RunsAsync(app, full))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            var detail = $"The organization \"{Org}\" allows only fine-grained tokens (its token policy); issue a fine-grained token for it.";
            Assert.Equal(detail, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
            Assert.Contains("error=\"insufficient_scope\"", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        using (var refused = await RunsAsync(app, forever))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal($"The organization \"{Org}\" allows tokens that live at most 30 days (its token policy); this token never expires.",
                (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }

        Assert.Equal(HttpStatusCode.OK, await RunsStatusAsync(app, month));
        Assert.Empty(await ProjectSlugsAsync(app, full));
        Assert.Empty(await ProjectSlugsAsync(app, forever));
        Assert.Equal([Project], await ProjectSlugsAsync(app, month));

        // Cleared again: the same tokens work at once.
        var cleared = await owner.Browser.SubmitAsync(await owner.Browser.GetAsync($"/organizations/{Org}/members"), "form.token-policy-form",
            new Dictionary<string, string> { ["Policy.MaxTokenLifetimeDays"] = "", ["Policy.AllowFullAccessTokens"] = "true" });
        Assert.Contains("no restrictions", cleared.Text("p.notice"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await RunsStatusAsync(app, full));
        Assert.Equal(HttpStatusCode.OK, await RunsStatusAsync(app, forever));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("100000")]
    [InlineData("-5")]
    [InlineData("thirty")]
    [InlineData("3.5")]
    public async Task ABadLifetimeIsAMessageAndChangesNothing(string days)
    {
        await using var app = new TokensApplication();
        var owner = new Person(app);
        await owner.Browser.SignUpAsync("policy-bad@example.com");
        var page = await owner.Browser.GetAsync($"/organizations/{Org}/members");
        var refused = await owner.Browser.SubmitAsync(page, "form.token-policy-form", new Dictionary<string, string>
        {
            ["Policy.MaxTokenLifetimeDays"] = days,
            ["Policy.AllowFullAccessTokens"] = "false",
        });

        Assert.Equal(HttpStatusCode.OK, refused.Status);
        Assert.Equal("The longest token lifetime must be a whole number of days from 1 to 3650, or blank for no limit.",
            refused.Text("[data-valmsg-for='Policy.MaxTokenLifetimeDays']"));
        Assert.Equal(days, refused.Document.QuerySelector("input[name='Policy.MaxTokenLifetimeDays']")!.GetAttribute("value"));
        var stored = await app.WithDbAsync(db => db.Organizations.Where(o => o.Slug == Org).Select(o => new { o.MaxTokenLifetimeDays, o.AllowFullAccessTokens }).SingleAsync());
        Assert.Null(stored.MaxTokenLifetimeDays);
        Assert.True(stored.AllowFullAccessTokens);
    }

    [Fact]
    public async Task OnlyOwnersSetThePolicy()
    {
        await using var app = new TokensApplication();
        var owner = await app.CreateUserAsync("first-owner@example.com");
        await app.WithOrganizationsAsync(o => o.JoinDefaultOnSignUpAsync(owner.Id));
        var admin = new Person(app);
        await admin.Browser.SignUpAsync("just-admin@example.com");
        var adminId = await app.WithDbAsync(db => db.Users.Where(u => u.Email == "just-admin@example.com").Select(u => u.Id).SingleAsync());
        await app.WithDbAsync(async db =>
        {
            var membership = await db.Memberships.SingleAsync(m => m.UserId == adminId);
            membership.Role = PfnStudio.Tokens.Data.OrganizationRole.Admin;
            return await db.SaveChangesAsync();
        });

        var page = await admin.Browser.GetAsync($"/organizations/{Org}/members");
        Assert.Null(page.Document.QuerySelector("form.token-policy-form"));
        var forged = await admin.Browser.Client.PostAsync($"/organizations/{Org}/members?handler=TokenPolicy",
            new FormUrlEncodedContent(BrowserSession.FormFields((AngleSharp.Html.Dom.IHtmlFormElement)page.Document.QuerySelector("form.create-project")!)
                .Where(f => f.Key == "__RequestVerificationToken")
                .Append(new("Policy.MaxTokenLifetimeDays", "1"))));
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        Assert.Null(await app.WithDbAsync(db => db.Organizations.Where(o => o.Slug == Org).Select(o => o.MaxTokenLifetimeDays).SingleAsync()));
    }

    [Fact]
    public async Task IssuingRegeneratingAndRotatingAFineGrainedTokenStayWithinTheLifetime()
    {
        await using var app = new TokensApplication();
        var owner = await app.CreateUserAsync("policy-issue@example.com");
        await app.WithOrganizationsAsync(o => o.JoinDefaultOnSignUpAsync(owner.Id));
        var forever = await app.IssueFineGrainedTokenAsync(owner.Id, "forever", Org, ["read"]);
        var result = await app.WithOrganizationsAsync(o => o.SetTokenPolicyAsync(Org, owner.Id, "30", allowFullAccess: true));
        Assert.True(result.Succeeded, result.Message);

        using var scope = app.Services.CreateScope();
        var tokens = scope.ServiceProvider.GetRequiredService<PersonalAccessTokenService>();
        var access = new TokenAccessRequest(TokenAccessRequest.FineGrainedValue, Org, TokenAccessRequest.AllProjectsValue, null, ["read"]);
        var message = $"The organization \"{Org}\" allows tokens that live at most 30 days (its token policy): choose 30 or fewer.";
        foreach (var days in new string?[] { null, "31", "3650" })
        {
            var refused = await tokens.IssueAsync(owner.Id, $"too long {days}", days, access, null);
            Assert.False(refused.Succeeded);
            Assert.Equal(message, refused.Errors[IssueTokenResult.ExpiresInDaysField]);
        }

        Assert.True((await tokens.IssueAsync(owner.Id, "ok", "30", access, null)).Succeeded);
        Assert.True((await tokens.IssueAsync(owner.Id, "full is not capped here", null, TokenAccessRequest.FullAccess, null)).Succeeded);

        // Rotating the never-expiring token (issued before the policy) gives a successor that lives 30 days.
        using var api = app.CreateClientWithToken(forever);
        using var rotated = await api.PostAsync("/api/v1/tokens/self/rotate", null);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var body = await rotated.Content.ReadFromJsonAsync<JsonElement>();
        var expiresAt = body.GetProperty("item").GetProperty("expiresAt").GetDateTimeOffset();
        Assert.Equal(app.Clock.GetUtcNow().AddDays(30), expiresAt);
    }

    private static async Task<HttpResponseMessage> RunsAsync(TokensApplication app, string token)
    {
        using var client = app.CreateClientWithToken(token);
        return await client.GetAsync($"/api/v1/projects/{Project}/runs");
    }

    private static async Task<HttpStatusCode> RunsStatusAsync(TokensApplication app, string token)
    {
        using var response = await RunsAsync(app, token);
        return response.StatusCode;
    }

    private static async Task<string[]> ProjectSlugsAsync(TokensApplication app, string token)
    {
        using var client = app.CreateClientWithToken(token);
        var body = await client.GetFromJsonAsync<JsonElement>("/api/v1/projects");
        return [.. body.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("slug").GetString()!)];
    }
}
