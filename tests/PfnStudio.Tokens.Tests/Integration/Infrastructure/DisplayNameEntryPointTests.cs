using System.Net;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Operator;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Infrastructure;

/// <summary>
/// Every place a name enters refuses what the shared name rule refuses — with a 400 problem, a page message or an
/// operator line — and stores nothing; good names with accents still work and are rendered in bidi isolates.
/// </summary>
public sealed class DisplayNameEntryPointTests
{
    private const string DemoProject = "pfnstudio-demo";

    /// <summary>A bad name and the part of the message that says why.</summary>
    public static TheoryData<string, string> BadNames => new()
    {
        { "row\u001B[2K\u001B]0;pwned\u0007", "control characters" },
        { "forged\r\nrun  gp  succeeded", "control characters" },
        { "oidutsnfp\u202E", "invisible formatting characters" },
        { "zero\u200Djoiner", "invisible formatting characters" },
        { "Z\u0351\u0352\u0353\u0354algo", "more than 2 combining marks in a row" },
        { "para\u2029graph", "line or paragraph separators" },
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task TheOrganizationsPageRefusesABadDisplayNameUnderItsFieldAndCreatesNothing(string name, string problem)
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("founder@example.com");
        var list = await browser.GetAsync("/organizations");

        var page = await browser.SubmitAsync(list, "form.create-organization", new Dictionary<string, string> { ["Input.Slug"] = "acme", ["Input.Name"] = name });

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.StartsWith("The organization name cannot", page.Text("[data-valmsg-for='Input.Name']"), StringComparison.Ordinal);
        Assert.Contains(problem, page.Text("[data-valmsg-for='Input.Name']"), StringComparison.Ordinal);
        Assert.False(await app.WithDbAsync(db => db.Organizations.AnyAsync(o => o.Slug == "acme")));
    }

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task PredictRefusesABadModelNameWith400AndRecordsNoRun(string model, string problem)
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");

        using var response = await api.PredictRawAsync(DemoProject, PredictBody(model));

        var message = await response.AssertInvalidAsync("model");
        Assert.Contains(problem, message, StringComparison.Ordinal);
        Assert.Empty(await app.WithDbAsync(db => db.Runs.ToListAsync()));
    }

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task TheOperatorRefusesABadTokenNameInOneLineAndIssuesNothing(string name, string problem)
    {
        await using var app = new TokensApplication();
        _ = app.Server;
        await app.CreateUserAsync("ops@example.com");

        var (code, stdout, stderr) = await RunAsync(app, ["tokens", "issue", "--user", "ops@example.com", "--name", name]);

        Assert.Equal(OperatorCommandLine.Refused, code);
        Assert.Equal(string.Empty, stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(problem, line, StringComparison.Ordinal);
        Assert.DoesNotContain(line, c => char.IsControl(c) || c is '\u202E' or '\u200D' or '\u2029');
        Assert.Equal(0, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
    }

    [Theory]
    [InlineData("ac\nme")]
    [InlineData("acme\u200B")]
    [InlineData("ac\u0301me")]
    public async Task SlugsWithALineFeedOrInvisibleCharactersAreRefused(string slug)
    {
        await using var app = new TokensApplication();
        var owner = await app.CreateUserAsync("owner@example.com");

        var organization = await app.WithOrganizationsAsync(orgs => orgs.CreateOrganizationAsync(slug, null, owner.Id));
        Assert.False(organization.Succeeded);
        Assert.True((await app.WithOrganizationsAsync(orgs => orgs.CreateOrganizationAsync("acme", null, owner.Id))).Succeeded);
        var project = await app.WithProjectsAsync(projects => projects.CreateProjectAsync("acme", owner.Id, slug.Replace("acme", "acme-ml", StringComparison.Ordinal)));
        Assert.False(project.Succeeded);
        Assert.Equal(["acme", "pfnstudio"], await app.WithDbAsync(db => db.Organizations.OrderBy(o => o.Slug).Select(o => o.Slug).ToListAsync()));
        Assert.Equal([DemoProject], await app.WithDbAsync(db => db.Projects.Select(p => p.Slug).ToListAsync()));
    }

    [Fact]
    public async Task AGoodNameWithAccentsIsStoredInNfcAndShownInBidiIsolatesOnEveryPage()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("founder@example.com");
        var list = await browser.GetAsync("/organizations");

        // Typed decomposed (e + combining acute), stored and shown composed.
        var created = await browser.SubmitAsync(list, "form.create-organization", new Dictionary<string, string>
        {
            ["Input.Slug"] = "zurich",
            ["Input.Name"] = "Forschung Zu\u0308rich — مختبر",
        });
        Assert.Equal(HttpStatusCode.OK, created.Status);
        Assert.Equal("Forschung Z\u00FCrich — مختبر", await app.WithDbAsync(db => db.Organizations.Where(o => o.Slug == "zurich").Select(o => o.Name).SingleAsync()));

        var organizations = await browser.GetAsync("/organizations");
        Assert.Contains("Forschung Z\u00FCrich — مختبر", organizations.Texts("table.organizations td.name strong > bdi"));

        await browser.IssueOnPageAsync("cle\u0301 de\u0301ploiement");
        var tokens = await browser.GetAsync("/api-tokens");
        Assert.Equal(["clé déploiement"], tokens.Texts("table.tokens td.name > bdi"));
        Assert.Contains("clé déploiement", tokens.Texts("td.name > bdi"));

        var members = await browser.GetAsync("/organizations/zurich/members");
        Assert.Equal(["founder@example.com"], members.Texts("tr[data-member] > td.name > bdi"));
        Assert.Equal(["clé déploiement"], members.Texts("table.member-tokens td.name > bdi"));

        // A model name for Predict follows the artifact pattern after the rule: ASCII, so an accent is a 400 too.
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");
        using var accented = await api.PredictRawAsync(DemoProject, PredictBody("modèle"));
        Assert.StartsWith("model: must be the name of a model spec pushed to this project", await accented.AssertInvalidAsync("model"), StringComparison.Ordinal);
    }

    private static string PredictBody(string model) =>
        "{\"model\": " + System.Text.Json.JsonSerializer.Serialize(model) + ", \"context\": {\"x\": [[0]], \"y\": [1]}, \"query\": {\"x\": [[0.5]]}}";

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(TokensApplication app, string[] args)
    {
        using var input = new StringReader(string.Empty);
        await using var output = new StringWriter { NewLine = "\n" };
        await using var error = new StringWriter { NewLine = "\n" };
        var code = await OperatorCommandLine.RunAsync(app.Services, args, input, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
