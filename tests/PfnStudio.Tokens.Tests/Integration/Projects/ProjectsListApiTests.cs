using System.Net;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Tests.Infrastructure;
using static PfnStudio.Tokens.Tests.Infrastructure.ProjectApiHelpers;

namespace PfnStudio.Tokens.Tests.Integration.Projects;

/// <summary><c>GET /api/v1/projects</c>: the projects of the organizations the token's owner has joined, nothing else.</summary>
public sealed class ProjectsListApiTests
{
    [Fact]
    public async Task ListsOnlyTheProjectsOfOrganizationsTheOwnerHasJoinedWithTheirOrganization()
    {
        await using var app = new TokensApplication();
        var (_, ada) = await app.CreateMemberWithTokenAsync("ada@example.com", "pfnstudio");
        var (bobUser, bob) = await app.CreateMemberWithTokenAsync("bob@example.com", "acme");
        Assert.True((await app.WithProjectsAsync(o => o.CreateProjectAsync("acme", null, "acme-secret"))).Succeeded);
        Assert.True((await app.WithProjectsAsync(o => o.CreateProjectAsync("pfnstudio", null, "aaa-first"))).Succeeded);
        // An invitation Ada has not accepted grants nothing: acme's projects stay out of her list.
        Assert.True((await app.WithMembershipsAsync(o => o.AddMemberAsync("acme", bobUser.Id, "ada@example.com", OrganizationRole.Member))).Succeeded);

        using var adaList = await ada.GetAsync("/api/v1/projects");
        using var bobList = await bob.GetAsync("/api/v1/projects");

        Assert.Equal(HttpStatusCode.OK, adaList.StatusCode);
        Assert.Equal("application/json", adaList.Content.Headers.ContentType?.MediaType);
        var items = (await adaList.JsonAsync()).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["aaa-first", DemoProject], items.Select(i => i.GetProperty("slug").GetString()));
        Assert.All(items, i =>
        {
            Assert.Equal("pfnstudio", i.GetProperty("organization").GetProperty("slug").GetString());
            Assert.Equal("PFN Studio", i.GetProperty("organization").GetProperty("name").GetString());
        });
        Assert.DoesNotContain("acme", await adaList.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, bobList.StatusCode);
        var bobItems = (await bobList.JsonAsync()).GetProperty("items").EnumerateArray().ToList();
        var only = Assert.Single(bobItems);
        Assert.Equal("acme-secret", only.GetProperty("slug").GetString());
        Assert.Equal("acme", only.GetProperty("organization").GetProperty("slug").GetString());
    }

    [Fact]
    public async Task WithoutATokenItIs401WithABearerChallenge()
    {
        await using var app = new TokensApplication();
        using var anonymous = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await anonymous.GetAsync("/api/v1/projects", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }
}
