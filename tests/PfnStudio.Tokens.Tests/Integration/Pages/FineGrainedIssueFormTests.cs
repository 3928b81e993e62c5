using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Pages;

/// <summary>The issue card's Access choices (issue 12), as a browser without script posts them.</summary>
public sealed class FineGrainedIssueFormTests
{
    [Fact]
    public async Task TheCardOffersFullAccessByDefaultAndFineGrainedWithTheUsersOrganizationsProjectsAndPermissions()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("card@example.com");
        await CreateAcmeAsync(app, "card@example.com");

        var page = await browser.GetAsync("/api-tokens");

        Assert.Equal(["Access", "Organization", "Projects", "Projects of acme", "Projects of pfnstudio", "Permissions"], page.Texts(".issue-form legend").Select(Squash));
        Assert.Equal("full", Checked(page, "Input.Access"));
        Assert.Equal("acme", Checked(page, "Input.Organization"));
        Assert.Equal("all", Checked(page, "Input.ProjectScope"));
        Assert.Equal(["read"], CheckedAll(page, "Input.Permissions"));
        Assert.Equal(["gp-demo", "gp-prod", "pfnstudio-demo"], page.Document.QuerySelectorAll("input[name='Input.Projects']").Select(i => i.GetAttribute("value")!));
        Assert.Equal(
            ["List projects, priors, model specs and runs.", "Push priors and model specs.", "Call the Predict API, which records a run."],
            page.Texts(".issue-form input[name='Input.Permissions'] ~ .hint"));
        Assert.Equal("Everything you can do, in every organization you belong to (the pat scope).", page.Text("#access-full-hint"));

        // Every choice has a label of its own.
        foreach (var input in page.Document.QuerySelectorAll(".issue-form input[type=radio], .issue-form input[type=checkbox]"))
        {
            Assert.NotNull(page.Document.QuerySelector($"label[for='{input.Id}']"));
        }
    }

    [Fact]
    public async Task AFineGrainedTokenIssuedOnThePageSaysWhatItMayDoEverywhereItIsShown()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("fine@example.com");
        await CreateAcmeAsync(app, "fine@example.com");

        var issued = await PostIssueAsync(browser, "demo-ci",
            ("Input.Access", "fine-grained"), ("Input.Organization", "acme"), ("Input.ProjectScope", "chosen"),
            ("Input.Projects", "gp-demo"), ("Input.Permissions", "read"), ("Input.Permissions", "push"));

        var token = issued.RevealedToken();
        Assert.NotNull(token);
        Assert.Equal("Scopes: read, push \u00b7 acme / gp-demo", issued.Text(".reveal .reveal-access"));
        Assert.Equal(["read, push \u00b7 acme / gp-demo"], issued.Texts("table.tokens td.scopes"));
        Assert.Equal("read, push \u00b7 acme / gp-demo", issued.Text("table.activity td.scopes"));
        Assert.Equal("full", Checked(issued, "Input.Access"));

        var row = await app.WithDbAsync(db => db.PersonalAccessTokens.AsNoTracking().Include(t => t.Organization).SingleAsync());
        Assert.Equal("acme", row.Organization!.Slug);
        Assert.Equal(["read", "push"], row.Scopes);
        Assert.Single(row.ProjectIds);

        using var api = app.CreateClientWithToken(token!);
        using var pushed = await api.PushModelAsync("gp-demo", "name: smooth\nprior: gp\nkernel: rbf\nlengthscale: 1\noutputscale: 1\nnoise: 0.1\n");
        using var elsewhere = await api.GetAsync("/api/v1/projects/gp-prod/runs");
        Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, elsewhere.StatusCode);
    }

    public static TheoryData<string, string, string> Refusals => new()
    {
        // posted choices (name=value&…), field with the message, the message
        { "Input.Access=fine-grained&Input.Organization=acme&Input.ProjectScope=all", "Input.Permissions", "Choose at least one permission: read, push, predict." },
        { "Input.Access=fine-grained&Input.ProjectScope=all&Input.Permissions=read", "Input.Organization", "Choose the organization this token may reach." },
        { "Input.Access=fine-grained&Input.Organization=acme&Input.ProjectScope=chosen&Input.Permissions=read", "Input.Projects", "Choose at least one project, or All projects." },
        { "Input.Access=fine-grained&Input.Organization=acme&Input.ProjectScope=chosen&Input.Projects=pfnstudio-demo&Input.Permissions=push", "Input.Projects", "\"pfnstudio-demo\" is not a project of \"acme\"." },
        { "Input.Access=fine-grained&Input.Organization=elsewhere&Input.ProjectScope=all&Input.Permissions=read", "Input.Organization", "You are not a member of an organization \"elsewhere\"." },
        { "Input.Access=fine-grained&Input.Organization=acme&Input.ProjectScope=all&Input.Permissions=admin", "Input.Permissions", "\"admin\" is not a permission. Choose from read, push, predict." },
        { "Input.Access=root", "Input.Access", "Choose Full access or Fine-grained." },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task AChoiceThatCannotBeGrantedShowsItsMessageKeepsWhatWasChosenAndIssuesNothing(string posted, string field, string message)
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("refused@example.com");
        await CreateAcmeAsync(app, "refused@example.com");
        var choices = posted.Split('&').Select(p => p.Split('=', 2)).Select(p => (p[0], p[1])).ToArray();

        var page = await PostIssueAsync(browser, "ci", choices);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Null(page.RevealedToken());
        Assert.Equal(message, page.Text($"[data-valmsg-for='{field}']"));
        Assert.Equal("ci", ((IHtmlInputElement)page.Document.QuerySelector("input[name='Input.Name']")!).Value);
        if (choices.Any(c => c == ("Input.Access", "fine-grained")))
        {
            Assert.Equal("fine-grained", Checked(page, "Input.Access"));
            Assert.Equal(choices.Where(c => c.Item1 == "Input.Permissions").Select(c => c.Item2).Where(p => p is "read" or "push" or "predict"), CheckedAll(page, "Input.Permissions"));
        }

        // The first field with a message is marked for the script to focus.
        Assert.NotEmpty(page.Document.QuerySelectorAll(".issue-form [aria-invalid=true]"));
        Assert.Equal(0, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
    }

    [Fact]
    public async Task ChoicesHiddenByTheChoiceAboveThemDoNotCountWhenAScriptlessBrowserPostsThem()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("noscript@example.com");
        await CreateAcmeAsync(app, "noscript@example.com");

        // Full access with the (hidden) fine-grained defaults and a ticked project still posted.
        var full = await PostIssueAsync(browser, "laptop",
            ("Input.Access", "full"), ("Input.Organization", "acme"), ("Input.ProjectScope", "all"), ("Input.Projects", "gp-demo"), ("Input.Permissions", "read"));
        // All projects with a project ticked before switching.
        var all = await PostIssueAsync(browser, "acme-reader",
            ("Input.Access", "fine-grained"), ("Input.Organization", "acme"), ("Input.ProjectScope", "all"), ("Input.Projects", "gp-demo"), ("Input.Permissions", "read"));

        Assert.NotNull(full.RevealedToken());
        Assert.NotNull(all.RevealedToken());
        Assert.Equal(["read \u00b7 acme (all projects)", "pat (full access)"], all.Texts("table.tokens td.scopes"));
    }

    [Fact]
    public async Task TheMembersPageShowsOnlyTokensThatReachTheOrganizationWithTheirScopesAndSaysWhatRemovalRevokes()
    {
        await using var app = new TokensApplication();
        using var owner = app.CreateBrowser();
        await owner.SignUpAsync("owner@example.com");
        using var member = app.CreateBrowser();
        await member.SignUpAsync("member@example.com");
        await CreateAcmeAsync(app, "member@example.com");
        await PostIssueAsync(member, "laptop");
        await PostIssueAsync(member, "home-ci", ("Input.Access", "fine-grained"), ("Input.Organization", "pfnstudio"), ("Input.ProjectScope", "all"), ("Input.Permissions", "predict"));
        await PostIssueAsync(member, "acme-ci", ("Input.Access", "fine-grained"), ("Input.Organization", "acme"), ("Input.ProjectScope", "all"), ("Input.Permissions", "read"));
        var acmeTokenId = await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Name == "acme-ci").Select(t => t.Id).SingleAsync());

        var page = await owner.GetAsync("/organizations/pfnstudio/members");
        var row = page.Document.QuerySelector("tr[data-member='member@example.com']")!;

        Assert.Equal(["home-ci", "laptop"], row.QuerySelectorAll("table.member-tokens td.name").Select(c => c.TextContent).Order());
        Assert.Equal(["predict \u00b7 pfnstudio (all projects)", "pat (full access)"], row.QuerySelectorAll("table.member-tokens td.scopes").Select(c => c.TextContent));
        Assert.DoesNotContain("acme", row.TextContent, StringComparison.Ordinal);
        Assert.Equal(
            "Remove member@example.com from pfnstudio? Their 2 tokens that reach it (full access, and fine-grained for pfnstudio) are revoked at once. Their fine-grained tokens for other organizations keep working.",
            row.QuerySelector("form.remove-form")!.GetAttribute("data-confirm"));

        // A forged revoke of the member's token for another organization reads as not found and changes nothing.
        var revokeForm = (IHtmlFormElement)row.QuerySelector("form.revoke-form")!;
        var fields = BrowserSession.FormFields(revokeForm);
        fields.RemoveAll(f => f.Key == "tokenId");
        fields.Add(new("tokenId", acmeTokenId.ToString()));
        var forged = await owner.PostAsync(page, revokeForm, fields);
        Assert.Equal("Token not found. It may already have been revoked.", forged.Text("p.notice"));
        Assert.Null(await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Id == acmeTokenId).Select(t => t.RevokedAt).SingleAsync()));
    }

    private static async Task CreateAcmeAsync(TokensApplication app, string ownerEmail)
    {
        var ownerId = await app.WithDbAsync(db => db.Users.Where(u => u.Email == ownerEmail).Select(u => u.Id).SingleAsync());
        Assert.True((await app.WithOrganizationsAsync(o => o.CreateOrganizationAsync("acme", "Acme", ownerId))).Succeeded);
        Assert.True((await app.WithProjectsAsync(p => p.CreateProjectAsync("acme", ownerId, "gp-demo"))).Succeeded);
        Assert.True((await app.WithProjectsAsync(p => p.CreateProjectAsync("acme", ownerId, "gp-prod"))).Succeeded);
    }

    // Posts the issue form as rendered, with the name and exactly these choices in place of the form's own.
    private static async Task<BrowserSession.Page> PostIssueAsync(BrowserSession browser, string name, params (string Name, string Value)[] choices)
    {
        var page = await browser.GetAsync("/api-tokens");
        var form = (IHtmlFormElement)page.Document.QuerySelector("form.issue-form")!;
        var fields = BrowserSession.FormFields(form);
        string[] replaced = ["Input.Name", "Input.Access", "Input.Organization", "Input.ProjectScope", "Input.Projects", "Input.Permissions"];
        fields.RemoveAll(f => replaced.Contains(f.Key) && (f.Key == "Input.Name" || choices.Length > 0));
        fields.Add(new("Input.Name", name));
        fields.AddRange(choices.Select(c => new KeyValuePair<string, string>(c.Name, c.Value)));
        return await browser.PostAsync(page, form, fields);
    }

    private static string? Checked(BrowserSession.Page page, string name) =>
        page.Document.QuerySelectorAll($"input[name='{name}']").OfType<IHtmlInputElement>().SingleOrDefault(i => i.IsChecked)?.Value;

    private static IEnumerable<string> CheckedAll(BrowserSession.Page page, string name) =>
        page.Document.QuerySelectorAll($"input[name='{name}']").OfType<IHtmlInputElement>().Where(i => i.IsChecked).Select(i => i.Value);

    private static string Squash(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
