using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Tests.Infrastructure;
using static PfnStudio.Tokens.Tests.Infrastructure.ProjectApiHelpers;

namespace PfnStudio.Tokens.Tests.Integration.Projects;

public sealed class IsolationAndRunsTests
{
    private const string Predict = """{"context": {"x": [[0], [1]], "y": [1, -1]}, "query": {"x": [[0.5]]}}""";

    public static TheoryData<string, string> Routes => new()
    {
        { "POST", "/api/v1/projects/{0}/priors" },
        { "GET", "/api/v1/projects/{0}/priors" },
        { "POST", "/api/v1/projects/{0}/models" },
        { "GET", "/api/v1/projects/{0}/models" },
        { "GET", "/api/v1/projects/{0}/runs" },
        { "POST", "/projects/{0}/runs/v0_1/predict" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task AProjectOfAnotherOrganizationIs404LikeAMissingOneOnEveryRoute(string method, string route)
    {
        await using var app = new TokensApplication();
        var (_, ada) = await app.CreateMemberWithTokenAsync("ada@example.com", "pfnstudio");
        var (_, bob) = await app.CreateMemberWithTokenAsync("bob@example.com", "acme");
        Assert.True((await app.WithProjectsAsync(o => o.CreateProjectAsync("acme", null, "acme-secret"))).Succeeded);

        using var foreign = await SendAsync(ada, method, string.Format(System.Globalization.CultureInfo.InvariantCulture, route, "acme-secret"));
        using var missing = await SendAsync(ada, method, string.Format(System.Globalization.CultureInfo.InvariantCulture, route, "no-such-project"));
        using var own = await SendAsync(bob, method, string.Format(System.Globalization.CultureInfo.InvariantCulture, route, "acme-secret"));

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var foreignBody = (await foreign.Content.ReadAsStringAsync()).Replace("acme-secret", "X", StringComparison.Ordinal);
        var missingBody = (await missing.Content.ReadAsStringAsync()).Replace("no-such-project", "X", StringComparison.Ordinal);
        Assert.Equal(WithoutTraceId(missingBody), WithoutTraceId(foreignBody));

        // The member of that organization reaches the same route.
        Assert.True(own.IsSuccessStatusCode, $"{method} {route} as a member: {(int)own.StatusCode}");

        // Nothing was stored by the refused call.
        var stored = await app.WithDbAsync(async db =>
            await db.Priors.CountAsync(p => db.Users.Any(u => u.Id == p.PushedByUserId && u.Email == "ada@example.com"))
            + await db.ModelSpecs.CountAsync(m => db.Users.Any(u => u.Id == m.PushedByUserId && u.Email == "ada@example.com"))
            + await db.Runs.CountAsync(r => db.Users.Any(u => u.Id == r.UserId && u.Email == "ada@example.com")));
        Assert.Equal(0, stored);
    }

    [Fact]
    public async Task EveryPredictCallIsRecordedAndRunsPageNewestFirstWithACursor()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");
        for (var i = 0; i < 4; i++)
        {
            using var ok = await api.PredictRawAsync(DemoProject, Predict);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            app.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        using (var rejected = await api.PredictRawAsync(DemoProject, "{}"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        }

        using var first = await api.GetAsync($"/api/v1/projects/{DemoProject}/runs?limit=2");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var page1 = await first.JsonAsync();
        var items1 = page1.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items1.Count);
        Assert.Equal("rejected", items1[0].GetProperty("status").GetString());
        Assert.Equal("context: is required: an object with x (points) and y (values).", items1[0].GetProperty("error").GetString());
        Assert.Equal("succeeded", items1[1].GetProperty("status").GetString());
        Assert.Equal("gp", items1[1].GetProperty("model").GetString());
        Assert.Equal(2, items1[1].GetProperty("contextSize").GetInt32());
        Assert.Equal(1, items1[1].GetProperty("querySize").GetInt32());
        Assert.Equal(12, items1[1].GetProperty("tokenPrefix").GetString()!.Length);
        Assert.Equal("2026-11-29T12:00:03+00:00", items1[1].GetProperty("createdAt").GetString());

        var cursor = page1.GetProperty("nextCursor").GetString();
        using var second = await api.GetAsync($"/api/v1/projects/{DemoProject}/runs?limit=2&cursor={cursor}");
        var page2 = await second.JsonAsync();
        var times2 = page2.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("createdAt").GetString()).ToList();
        Assert.Equal(["2026-11-29T12:00:02+00:00", "2026-11-29T12:00:01+00:00"], times2);

        using var third = await api.GetAsync($"/api/v1/projects/{DemoProject}/runs?limit=2&cursor={page2.GetProperty("nextCursor").GetString()}");
        var page3 = await third.JsonAsync();
        Assert.Equal("2026-11-29T12:00:00+00:00", Assert.Single(page3.GetProperty("items").EnumerateArray().ToList()).GetProperty("createdAt").GetString());
        Assert.Equal(JsonValueKind.Null, page3.GetProperty("nextCursor").ValueKind);

        using var all = await api.GetAsync($"/api/v1/projects/{DemoProject}/runs");
        Assert.Equal(5, (await all.JsonAsync()).GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("cursor=abc", "cursor")]
    [InlineData("cursor=-5", "cursor")]
    public async Task BadRunPagingParametersAre400(string query, string field)
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");

        using var response = await api.GetAsync($"/api/v1/projects/{DemoProject}/runs?{query}");

        Assert.StartsWith(field + ":", await response.AssertInvalidAsync(field), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemovingAMemberRevokesTheirTokensAndTheirNextCallIs401()
    {
        await using var app = new TokensApplication();
        var (owner, _) = await app.CreateMemberWithTokenAsync("owner@example.com", "acme", OrganizationRole.Owner);
        var (leaver, api) = await app.CreateMemberWithTokenAsync("leaver@example.com", "acme", OrganizationRole.Member, expiresInDays: 30);
        await app.IssueTokenAsync(leaver.Id, "second laptop");
        Assert.True((await app.WithProjectsAsync(o => o.CreateProjectAsync("acme", owner.Id, "acme-models"))).Succeeded);

        using (var before = await api.GetAsync("/api/v1/projects/acme-models/runs"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

            // Authenticated responses tell the client when its token dies.
            Assert.Equal("2026-12-29T12:00:00Z", before.Headers.GetValues("PfnStudio-Token-Expires").Single());
        }

        var removed = await app.WithMembershipsAsync(o => o.RemoveMemberAsync("acme", owner.Id, leaver.Id));
        Assert.True(removed.Succeeded, removed.Message);
        Assert.Equal("leaver@example.com removed from \"acme\"; 2 tokens revoked.", removed.Message);

        using var after = await api.GetAsync("/api/v1/projects/acme-models/runs");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("error=\"invalid_token\"", after.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var tokens = await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.UserId == leaver.Id).ToListAsync());
        Assert.Equal(2, tokens.Count);
        Assert.All(tokens, t => Assert.Equal(app.Clock.GetUtcNow(), t.RevokedAt));
        Assert.False(await app.WithDbAsync(db => db.Memberships.AnyAsync(m => m.UserId == leaver.Id)));
    }

    [Fact]
    public async Task TheLastOwnerCannotBeRemovedOrDemotedAndNothingChanges()
    {
        await using var app = new TokensApplication();
        var (owner, api) = await app.CreateMemberWithTokenAsync("owner@example.com", "acme", OrganizationRole.Owner);

        var removed = await app.WithMembershipsAsync(o => o.RemoveMemberAsync("acme", owner.Id, owner.Id));
        var demoted = await app.WithMembershipsAsync(o => o.ChangeRoleAsync("acme", owner.Id, owner.Id, OrganizationRole.Member));

        Assert.False(removed.Succeeded);
        Assert.False(demoted.Succeeded);
        Assert.Contains("at least one owner", removed.Message, StringComparison.Ordinal);
        using var me = await api.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient api, string method, string path)
    {
        if (method == "GET")
        {
            return await api.GetAsync(path);
        }

        using HttpContent content = path.EndsWith("/priors", StringComparison.Ordinal)
            ? PriorFile("prior.py", "x = 1\n")
            : path.EndsWith("/models", StringComparison.Ordinal)
                ? new StringContent("name: m\nprior: gp\nkernel: rbf\nlengthscale: 1\noutputscale: 1\nnoise: 0.1\n", Encoding.UTF8, "application/yaml")
                : new StringContent(Predict, Encoding.UTF8, "application/json");
        return await api.PostAsync(path, content);
    }

    private static string WithoutTraceId(string body)
    {
        using var document = JsonDocument.Parse(body);
        return string.Join(";", document.RootElement.EnumerateObject().Where(p => p.Name != "traceId").Select(p => $"{p.Name}={p.Value}"));
    }
}
