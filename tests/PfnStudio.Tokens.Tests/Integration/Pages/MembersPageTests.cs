using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Pages;

public sealed class MembersPageTests
{
    [Fact]
    public async Task AnOwnerSeesMembersAndTheirTokensRevokesChangesRolesAddsAndRemoves()
    {
        await using var app = new TokensApplication();
        using var owner = app.CreateBrowser();
        var home = await owner.SignUpAsync("owner@example.com");
        Assert.Equal("Organizations", home.Document.QuerySelector(".avatar-menu a[href='/organizations']")?.TextContent);

        using var member = app.CreateBrowser();
        await member.SignUpAsync("member@example.com");
        var laptop = (await member.IssueOnPageAsync("laptop", "30")).RevealedToken()!;
        var ci = (await member.IssueOnPageAsync("ci")).RevealedToken()!;
        await app.CreateUserAsync("third@example.com");

        var list = await owner.GetAsync("/organizations");
        Assert.Contains("owner", list.Text("table.organizations tbody tr"));
        Assert.Contains("pfnstudio-demo", list.Text("table.organizations tbody tr"));
        Assert.NotNull(list.Document.QuerySelector("a[href='/organizations/pfnstudio/members']"));

        var page = await owner.GetAsync("/organizations/pfnstudio/members");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        var row = MemberRow(page, "member@example.com");
        var tokenNames = row.QuerySelectorAll("table.member-tokens tbody td.name").Select(c => c.TextContent).ToList();
        Assert.Equal(["ci", "laptop"], tokenNames.Order().ToList());
        Assert.Contains($"{laptop[..26]}…", row.TextContent, StringComparison.Ordinal);

        // Revoke one of the member's tokens.
        var laptopForm = row.QuerySelectorAll("form.revoke-form").Single(f => f.ParentElement!.ParentElement!.TextContent.Contains("laptop", StringComparison.Ordinal));
        page = await owner.PostAsync(page, (IHtmlFormElement)laptopForm, BrowserSession.FormFields((IHtmlFormElement)laptopForm));
        Assert.Equal("Token \u201claptop\u201d revoked. Anything still using it now gets 401.", page.Text("p.notice"));
        using (var laptopApi = app.CreateClientWithToken(laptop))
        using (var refused = await laptopApi.GetAsync("/api/v1/me"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        // Change the member's role.
        page = await owner.SubmitAsync(page, "tr[data-member='member@example.com'] form.role-form", new Dictionary<string, string> { ["role"] = "admin" });
        Assert.Equal("member@example.com is now admin of \"pfnstudio\".", page.Text("p.notice"));
        Assert.Equal(OrganizationRole.Admin, await RoleAsync(app, "member@example.com"));

        // Invite someone by e-mail: pending until they accept, shown without tokens.
        page = await owner.SubmitAsync(page, "form.add-member", new Dictionary<string, string> { ["Input.Email"] = "third@example.com", ["Input.Role"] = "member" });
        Assert.Equal("If third@example.com has an account, they are invited to \"pfnstudio\" as member. They join when they accept on their Organizations page.", page.Text("p.notice"));
        Assert.NotNull(page.Document.QuerySelector("tr[data-pending='third@example.com']"));
        Assert.Null(page.Document.QuerySelector("tr[data-member='third@example.com']"));

        // Remove the member: their remaining token is revoked with them.
        page = await owner.SubmitAsync(page, "tr[data-member='member@example.com'] form.remove-form");
        Assert.Equal("member@example.com removed from \"pfnstudio\"; 1 token revoked.", page.Text("p.notice"));
        Assert.Null(page.Document.QuerySelector("tr[data-member='member@example.com']"));
        using var ciApi = app.CreateClientWithToken(ci);
        using var after = await ciApi.GetAsync("/api/v1/projects/pfnstudio-demo/runs");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task AddingAnUnknownEmailOrATakenProjectSlugShowsTheMessageOnThePage()
    {
        await using var app = new TokensApplication();
        using var owner = app.CreateBrowser();
        await owner.SignUpAsync("owner@example.com");
        var page = await owner.GetAsync("/organizations/pfnstudio/members");

        // The same answer as a real invitation: the form does not tell which e-mail addresses have an account.
        var unknown = await owner.SubmitAsync(page, "form.add-member", new Dictionary<string, string> { ["Input.Email"] = "ghost@example.com", ["Input.Role"] = "member" });
        Assert.Equal(HttpStatusCode.OK, unknown.Status);
        Assert.Equal("If ghost@example.com has an account, they are invited to \"pfnstudio\" as member. They join when they accept on their Organizations page.", unknown.Text("p.notice"));
        Assert.Equal(string.Empty, unknown.Text("form.add-member .field-error"));
        Assert.Null(unknown.Document.QuerySelector("tr[data-pending='ghost@example.com']"));
        Assert.Equal(1, await app.WithDbAsync(db => db.Memberships.CountAsync()));

        var taken = await owner.SubmitAsync(page, "form.create-project", new Dictionary<string, string> { ["Project.Slug"] = "pfnstudio-demo" });
        Assert.Equal("The project slug \"pfnstudio-demo\" is taken; choose another.", taken.Text("form.create-project .field-error"));

        var created = await owner.SubmitAsync(page, "form.create-project", new Dictionary<string, string> { ["Project.Slug"] = "forecasting" });
        Assert.Equal("Project \"forecasting\" created in \"pfnstudio\".", created.Text("p.notice"));
        Assert.Contains("forecasting", created.Texts("ul.projects li"));
    }

    [Fact]
    public async Task AMemberWhoIsNotAnAdminAndAStrangerGetTheSame404()
    {
        await using var app = new TokensApplication();
        using var owner = app.CreateBrowser();
        await owner.SignUpAsync("owner@example.com");
        using var member = app.CreateBrowser();
        await member.SignUpAsync("member@example.com");

        var forbidden = await member.GetAsync("/organizations/pfnstudio/members");
        var missing = await member.GetAsync("/organizations/no-such-org/members");
        Assert.Equal(HttpStatusCode.NotFound, forbidden.Status);
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);

        // A hand-made post (with a valid antiforgery token) is refused the same way and changes nothing.
        var list = await member.GetAsync("/organizations");
        var form = (IHtmlFormElement)list.Document.QuerySelector("form.create-organization")!;
        var ownerId = await app.WithDbAsync(db => db.Users.Where(u => u.Email == "owner@example.com").Select(u => u.Id).SingleAsync());
        form.Action = "/organizations/pfnstudio/members?handler=Remove";
        var fields = BrowserSession.FormFields(form);
        fields.Add(new("userId", ownerId));
        var refused = await member.PostAsync(list, form, fields);
        Assert.Equal(HttpStatusCode.NotFound, refused.Status);
        Assert.Equal(OrganizationRole.Owner, await RoleAsync(app, "owner@example.com"));
    }

    [Fact]
    public async Task AnyoneSignedInCreatesAnOrganizationAndOwnsIt()
    {
        await using var app = new TokensApplication();
        await using var solo = app.WithWebHostBuilder(b => b.UseSetting("Organizations:JoinDefaultOnSignUp", "false"));
        using var browser = new BrowserSession(solo.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = app.ClientOptions.BaseAddress, HandleCookies = true }));
        await browser.SignUpAsync("founder@example.com");

        var list = await browser.GetAsync("/organizations");
        Assert.Contains("You are not in any organization yet.", list.Text("section.card p.empty"));

        var bad = await browser.SubmitAsync(list, "form.create-organization", new Dictionary<string, string> { ["Input.Slug"] = "Bad Slug!" });
        Assert.StartsWith("The organization slug must be 1–64 characters", bad.Text("form.create-organization .field-error"), StringComparison.Ordinal);

        var created = await browser.SubmitAsync(list, "form.create-organization", new Dictionary<string, string> { ["Input.Slug"] = "founders", ["Input.Name"] = "Founders Inc" });
        Assert.Equal(HttpStatusCode.OK, created.Status);
        Assert.EndsWith("/organizations/founders/members", created.Url.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal("Organization \"founders\" created.", created.Text("p.notice"));
        Assert.Equal(OrganizationRole.Owner, await RoleAsync(app, "founder@example.com"));
    }

    [Fact]
    public async Task TheOrganizationsPagesRequireSignIn()
    {
        await using var app = new TokensApplication();
        using var anonymous = app.CreateBrowser(followRedirects: false);

        using var response = await anonymous.Client.GetAsync("/organizations/pfnstudio/members");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/sign-in", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    private static AngleSharp.Dom.IElement MemberRow(BrowserSession.Page page, string email) =>
        page.Document.QuerySelector($"tr[data-member='{email}']") ?? throw new InvalidOperationException($"No row for {email}.");

    private static Task<OrganizationRole> RoleAsync(TokensApplication app, string email) =>
        app.WithDbAsync(db => db.Memberships.Where(m => m.User!.Email == email).Select(m => m.Role).SingleAsync());
}
