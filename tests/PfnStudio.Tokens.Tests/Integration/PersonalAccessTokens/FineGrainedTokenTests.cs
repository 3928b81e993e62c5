using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Tests.Infrastructure;
using static PfnStudio.Tokens.Tests.Infrastructure.ProjectApiHelpers;

namespace PfnStudio.Tokens.Tests.Integration.PersonalAccessTokens;

/// <summary>
/// Fine-grained tokens (issue 12): each route needs one permission, a token reaches one organization and all or
/// some of its projects, and what it may not do answers RFC 6750's 403 <c>insufficient_scope</c> naming the
/// permission, or the same 404 as today where the owner could not see the project.
/// </summary>
public sealed class FineGrainedTokenTests
{
    private const string ModelYaml = "name: smooth\nprior: gp\nkernel: matern52\nlengthscale: 0.5\noutputscale: 2\nnoise: 0.01\n";
    private const string PredictBody = """{"context": {"x": [[0], [1]], "y": [1, -1]}, "query": {"x": [[0.5]]}}""";

    /// <summary>Every API route and the permission it needs (null: any token).</summary>
    public static TheoryData<string, string?> Routes => new()
    {
        { "GET /api/v1/me", null },
        { "GET /api/v1/projects", "read" },
        { "GET /api/v1/projects/pfnstudio-demo/priors", "read" },
        { "GET /api/v1/projects/pfnstudio-demo/models", "read" },
        { "GET /api/v1/projects/pfnstudio-demo/runs", "read" },
        { "POST /api/v1/projects/pfnstudio-demo/priors", "push" },
        { "POST /api/v1/projects/pfnstudio-demo/models", "push" },
        { "POST /projects/pfnstudio-demo/runs/v0_1/predict", "predict" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task EachRouteAnswersTokensWithItsPermissionAndRefusesTheOthersNamingIt(string route, string? needed)
    {
        await using var app = new TokensApplication();
        var (user, _) = await app.CreateMemberWithTokenAsync("perm@example.com");

        foreach (var permission in new[] { "read", "push", "predict" })
        {
            var token = await app.IssueFineGrainedTokenAsync(user.Id, $"only-{permission}", "pfnstudio", [permission]);
            using var api = app.CreateClientWithToken(token);
            using var response = await SendAsync(api, route);

            if (needed is null || needed == permission)
            {
                Assert.True(response.IsSuccessStatusCode, $"{route} with {permission}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                continue;
            }

            var description = $"This route needs the {needed} permission; this token has {permission}.";
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal(
                $"Bearer realm=\"pfnstudio\", error=\"insufficient_scope\", error_description=\"{description}\", scope=\"{needed}\"",
                response.Headers.WwwAuthenticate.ToString());
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.JsonAsync();
            Assert.Equal(403, problem.GetProperty("status").GetInt32());
            Assert.Equal(description, problem.GetProperty("detail").GetString());
        }

        // Full access (the pat scope) passes every route, as every token before fine-grained ones.
        using var full = app.CreateClientWithToken(await app.IssueTokenAsync(user.Id, "full"));
        using var fullResponse = await SendAsync(full, route);
        Assert.True(fullResponse.IsSuccessStatusCode, $"{route} with full access: {(int)fullResponse.StatusCode}");
    }

    [Fact]
    public async Task SeveralPermissionsAddUpAndTheRefusalListsWhatTheTokenHas()
    {
        await using var app = new TokensApplication();
        var (user, _) = await app.CreateMemberWithTokenAsync("both@example.com");
        using var api = app.CreateClientWithToken(await app.IssueFineGrainedTokenAsync(user.Id, "ci", "pfnstudio", ["push", "read"]));

        using var pushed = await api.PushModelAsync(DemoProject, ModelYaml);
        using var listed = await api.GetAsync($"/api/v1/projects/{DemoProject}/models");
        using var predicted = await api.PredictRawAsync(DemoProject, PredictBody);

        Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, predicted.StatusCode);
        Assert.Equal("This route needs the predict permission; this token has read, push.", (await predicted.JsonAsync()).GetProperty("detail").GetString());
        Assert.EndsWith(", scope=\"predict\"", predicted.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task AChosenProjectTokenGets403ForTheOwnersOtherProjectsAnd404WhereTheOwnerSeesNothing()
    {
        await using var app = new TokensApplication();
        var (user, _) = await app.CreateMemberWithTokenAsync("chosen@example.com", "acme", OrganizationRole.Owner);
        Assert.True((await app.WithMembershipsAsync(m => m.AddMemberAsync("pfnstudio", null, user.Email, OrganizationRole.Member))).Succeeded);
        Assert.True((await app.WithProjectsAsync(p => p.CreateProjectAsync("acme", user.Id, "gp-demo"))).Succeeded);
        Assert.True((await app.WithProjectsAsync(p => p.CreateProjectAsync("acme", user.Id, "gp-prod"))).Succeeded);
        var stranger = await app.CreateUserAsync("stranger@example.com");
        Assert.True((await app.WithOrganizationsAsync(o => o.CreateOrganizationAsync("hidden", null, stranger.Id))).Succeeded);
        Assert.True((await app.WithProjectsAsync(p => p.CreateProjectAsync("hidden", stranger.Id, "secret-project"))).Succeeded);

        using var api = app.CreateClientWithToken(await app.IssueFineGrainedTokenAsync(user.Id, "demo-ci", "acme", ["read", "push"], ["gp-demo"]));

        using var inside = await api.PushModelAsync("gp-demo", ModelYaml);
        Assert.Equal(HttpStatusCode.Created, inside.StatusCode);

        using var sibling = await api.GetAsync("/api/v1/projects/gp-prod/models");
        Assert.Equal(HttpStatusCode.Forbidden, sibling.StatusCode);
        const string detail = "This token is limited to other projects (acme / gp-demo); \"gp-prod\" is not one of them.";
        Assert.Equal(detail, (await sibling.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(
            $"Bearer realm=\"pfnstudio\", error=\"insufficient_scope\", error_description=\"{detail.Replace('"', '\'')}\"",
            sibling.Headers.WwwAuthenticate.ToString());

        // The default organization's project is the owner's too (they are a member), but of another organization.
        using var otherOrganization = await api.GetAsync($"/api/v1/projects/{DemoProject}/runs");
        Assert.Equal(HttpStatusCode.Forbidden, otherOrganization.StatusCode);

        // A project the owner cannot see reads exactly like one that does not exist.
        using var hidden = await api.GetAsync("/api/v1/projects/secret-project/models");
        using var missing = await api.GetAsync("/api/v1/projects/no-such-project/models");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var hiddenProblem = await hidden.JsonAsync();
        var missingProblem = await missing.JsonAsync();
        Assert.Equal("No project \"secret-project\" is visible to this token's owner.", hiddenProblem.GetProperty("detail").GetString());
        Assert.Equal(missingProblem.GetProperty("title").GetString(), hiddenProblem.GetProperty("title").GetString());
        Assert.Equal(missing.Headers.WwwAuthenticate.ToString(), hidden.Headers.WwwAuthenticate.ToString());

        // The projects list shows only what the token reaches.
        using var list = await api.GetAsync("/api/v1/projects");
        var slugs = (await list.JsonAsync()).GetProperty("items").EnumerateArray().Select(p => p.GetProperty("slug").GetString()!).ToArray();
        Assert.Equal(["gp-demo"], slugs);
    }

    [Fact]
    public async Task AnAllProjectsTokenReachesProjectsCreatedAfterItButNoOtherOrganization()
    {
        await using var app = new TokensApplication();
        var (user, _) = await app.CreateMemberWithTokenAsync("all@example.com", "acme", OrganizationRole.Owner);
        Assert.True((await app.WithMembershipsAsync(m => m.AddMemberAsync("pfnstudio", null, user.Email, OrganizationRole.Member))).Succeeded);
        using var api = app.CreateClientWithToken(await app.IssueFineGrainedTokenAsync(user.Id, "acme-reader", "acme", ["read"]));
        Assert.True((await app.WithProjectsAsync(p => p.CreateProjectAsync("acme", user.Id, "later"))).Succeeded);

        using var later = await api.GetAsync("/api/v1/projects/later/runs");
        using var demo = await api.GetAsync($"/api/v1/projects/{DemoProject}/runs");

        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, demo.StatusCode);
        Assert.Equal($"This token is limited to the projects of 'acme'; '{DemoProject}' is not one of them.",
            (await demo.JsonAsync()).GetProperty("detail").GetString()!.Replace('"', '\''));
    }

    [Fact]
    public async Task RemovingAMemberRevokesTheirFullAccessAndThatOrganizationsTokensOnly()
    {
        await using var app = new TokensApplication();
        var owner = await app.CreateUserAsync("owner@example.com");
        Assert.True((await app.WithOrganizationsAsync(o => o.CreateOrganizationAsync("acme", null, owner.Id))).Succeeded);
        Assert.True((await app.WithProjectsAsync(p => p.CreateProjectAsync("acme", owner.Id, "gp-demo"))).Succeeded);
        var (member, _) = await app.CreateMemberWithTokenAsync("leaver@example.com", "pfnstudio", OrganizationRole.Owner);
        Assert.True((await app.WithMembershipsAsync(m => m.AddMemberAsync("acme", null, member.Email!, OrganizationRole.Member))).Succeeded);

        using var full = app.CreateClientWithToken(await app.IssueTokenAsync(member.Id, "laptop"));
        using var acme = app.CreateClientWithToken(await app.IssueFineGrainedTokenAsync(member.Id, "acme-ci", "acme", ["read"]));
        using var home = app.CreateClientWithToken(await app.IssueFineGrainedTokenAsync(member.Id, "home-ci", "pfnstudio", ["read"]));
        foreach (var api in new[] { full, acme, home })
        {
            using var before = await api.GetAsync("/api/v1/me");
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var removed = await app.WithMembershipsAsync(m => m.RemoveMemberAsync("acme", owner.Id, member.Id));
        Assert.Equal("leaver@example.com removed from \"acme\"; 3 tokens revoked.", removed.Message);

        using var fullAfter = await full.GetAsync("/api/v1/me");
        using var acmeAfter = await acme.GetAsync("/api/v1/me");
        using var homeAfter = await home.GetAsync($"/api/v1/projects/{DemoProject}/runs");
        Assert.Equal(HttpStatusCode.Unauthorized, fullAfter.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, acmeAfter.StatusCode);
        Assert.Equal(HttpStatusCode.OK, homeAfter.StatusCode);
        var revoked = await app.WithDbAsync(db => db.PersonalAccessTokens.AsNoTracking()
            .Where(t => t.UserId == member.Id && t.RevokedAt != null).Select(t => t.Name).OrderBy(n => n).ToListAsync());
        Assert.Equal(["acme-ci", "automation", "laptop"], revoked);
    }

    [Fact]
    public async Task MeReportsTheScopesOrganizationAndProjectsOfEveryKindOfToken()
    {
        await using var app = new TokensApplication();
        var (user, full) = await app.CreateMemberWithTokenAsync("me@example.com", "acme", OrganizationRole.Owner);
        Assert.True((await app.WithProjectsAsync(p => p.CreateProjectAsync("acme", user.Id, "gp-demo"))).Succeeded);
        using var chosen = app.CreateClientWithToken(await app.IssueFineGrainedTokenAsync(user.Id, "pusher", "acme", ["push"], ["gp-demo"]));
        using var all = app.CreateClientWithToken(await app.IssueFineGrainedTokenAsync(user.Id, "predictor", "acme", ["predict", "read"]));

        var fullToken = (await (await full.GetAsync("/api/v1/me")).JsonAsync()).GetProperty("token");
        var chosenToken = (await (await chosen.GetAsync("/api/v1/me")).JsonAsync()).GetProperty("token");
        var allToken = (await (await all.GetAsync("/api/v1/me")).JsonAsync()).GetProperty("token");

        Assert.Equal("full", fullToken.GetProperty("access").GetString());
        Assert.Equal(["pat"], fullToken.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, fullToken.GetProperty("organization").ValueKind);
        Assert.Equal("fine-grained", chosenToken.GetProperty("access").GetString());
        Assert.Equal(["push"], chosenToken.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("acme", chosenToken.GetProperty("organization").GetString());
        Assert.Equal(["gp-demo"], chosenToken.GetProperty("projects").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(["read", "predict"], allToken.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, allToken.GetProperty("projects").ValueKind);
    }

    [Fact]
    public async Task TokensIssuedBeforeTheMigrationKeepFullAccessAfterIt()
    {
        await using var app = new TokensApplication();
        var (user, _) = await app.CreateMemberWithTokenAsync("old@example.com");
        var oldToken = await app.IssueTokenAsync(user.Id, "old-ci");

        // Back to the schema before fine-grained tokens (no OrganizationId / ProjectIds), rows kept, then forward.
        await app.WithDbAsync(async db =>
        {
            var before = db.Database.GetMigrations().TakeWhile(m => !m.EndsWith("_FineGrainedTokens", StringComparison.Ordinal)).Last();
            await db.GetService<IMigrator>().MigrateAsync(before);
            await db.Database.ExecuteSqlRawAsync("""UPDATE "PersonalAccessTokens" SET "Name" = 'old-ci-renamed' WHERE "Name" = 'old-ci'""");
            await db.Database.MigrateAsync();
            return 0;
        });

        var row = await app.WithDbAsync(db => db.PersonalAccessTokens.AsNoTracking().SingleAsync(t => t.Name == "old-ci-renamed"));
        Assert.Null(row.OrganizationId);
        Assert.Empty(row.ProjectIds);
        Assert.Equal(["pat"], row.Scopes);

        await using var fresh = new TokensApplication(app);
        using var api = fresh.CreateClientWithToken(oldToken);
        using var pushed = await api.PushModelAsync(DemoProject, ModelYaml);
        using var predicted = await api.PredictRawAsync(DemoProject, PredictBody);
        Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, predicted.StatusCode);
    }

    /// <summary>Access requests the service refuses, with the field and the message a person reads.</summary>
    public static TheoryData<string?, string?, string?, string[]?, string[]?, string, string> BadRequests => new()
    {
        // access, organization, project scope, projects, permissions, field, message
        { "full", null, null, ["gp-demo"], null, "Projects", "A full-access token reaches every project. To limit the token to projects, choose Fine-grained." },
        { "admin", null, null, null, null, "Access", "Choose Full access or Fine-grained." },
        { "fine-grained", "acme", "all", null, null, "Permissions", "Choose at least one permission: read, push, predict." },
        { "fine-grained", "acme", "all", null, [" , "], "Permissions", "Choose at least one permission: read, push, predict." },
        { "fine-grained", "acme", "all", null, ["read,write"], "Permissions", "\"write\" is not a permission. Choose from read, push, predict." },
        { "fine-grained", "acme", "all", null, ["pat"], "Permissions", "\"pat\" is not a permission. Choose from read, push, predict." },
        { "fine-grained", null, "all", null, ["read"], "Organization", "Choose the organization this token may reach." },
        { "fine-grained", "  ", "all", null, ["read"], "Organization", "Choose the organization this token may reach." },
        { "fine-grained", "hidden", "all", null, ["read"], "Organization", "You are not a member of an organization \"hidden\"." },
        { "fine-grained", "no-such-org", "all", null, ["read"], "Organization", "You are not a member of an organization \"no-such-org\"." },
        { "fine-grained", "invited", "all", null, ["read"], "Organization", "You are invited to \"invited\" but have not accepted yet; accept the invitation on the Organizations page first." },
        { "fine-grained", "acme", "chosen", null, ["read"], "Projects", "Choose at least one project, or All projects." },
        { "fine-grained", "acme", "all", ["gp-demo"], ["read"], "Projects", "Choose All projects or pick projects, not both." },
        { "fine-grained", "acme", "some", null, ["read"], "Projects", "Choose All projects or Only chosen projects." },
        { "fine-grained", "acme", "chosen", ["gp-demo", "gp-demo"], ["read"], "Projects", "Project \"gp-demo\" is listed twice." },
        { "fine-grained", "acme", "chosen", ["pfnstudio-demo"], ["read"], "Projects", "\"pfnstudio-demo\" is not a project of \"acme\"." },
        { "fine-grained", "acme", "chosen", ["secret-project"], ["read"], "Projects", "\"secret-project\" is not a project of \"acme\"." },
        { "fine-grained", "acme", "chosen", [.. Enumerable.Range(0, 101).Select(i => $"p{i}")], ["read"], "Projects", "A token may name at most 100 projects; choose All projects instead." },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task AnAccessRequestThatCannotBeGrantedIsRefusedWithOneMessageAndStoresNothing(
        string? access, string? organization, string? projectScope, string[]? projects, string[]? permissions, string field, string message)
    {
        await using var app = new TokensApplication();
        var (user, _) = await app.CreateMemberWithTokenAsync("asks@example.com", "acme", OrganizationRole.Owner);
        Assert.True((await app.WithProjectsAsync(p => p.CreateProjectAsync("acme", user.Id, "gp-demo"))).Succeeded);
        var stranger = await app.CreateUserAsync("stranger@example.com");
        Assert.True((await app.WithOrganizationsAsync(o => o.CreateOrganizationAsync("hidden", null, stranger.Id))).Succeeded);
        Assert.True((await app.WithProjectsAsync(p => p.CreateProjectAsync("hidden", stranger.Id, "secret-project"))).Succeeded);
        Assert.True((await app.WithOrganizationsAsync(o => o.CreateOrganizationAsync("invited", null, stranger.Id))).Succeeded);
        Assert.True((await app.WithMembershipsAsync(m => m.AddMemberAsync("invited", stranger.Id, user.Email!, OrganizationRole.Member))).Succeeded);
        var before = await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync());

        var result = await app.WithServiceAsync<PfnStudio.Tokens.PersonalAccessTokens.PersonalAccessTokenService, PfnStudio.Tokens.PersonalAccessTokens.IssueTokenResult>(
            tokens => tokens.IssueAsync(user.Id, "ci", null, new(access, organization, projectScope, projects, permissions), null));

        Assert.False(result.Succeeded);
        Assert.Equal(message, Assert.Single(result.Errors, e => e.Key == field).Value);
        Assert.Null(result.Plaintext);
        Assert.Equal(before, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient api, string route)
    {
        var (method, path) = (route[..route.IndexOf(' ', StringComparison.Ordinal)], route[(route.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        if (method == "GET")
        {
            return api.GetAsync(path);
        }

        HttpContent body = path.EndsWith("/priors", StringComparison.Ordinal)
            ? PriorFile("smooth_gp.py", "def prior():\n    return None\n")
            : path.EndsWith("/models", StringComparison.Ordinal)
                ? new StringContent(ModelYaml, Encoding.UTF8, "application/yaml")
                : new StringContent(PredictBody, Encoding.UTF8, "application/json");
        return api.PostAsync(path, body);
    }
}
