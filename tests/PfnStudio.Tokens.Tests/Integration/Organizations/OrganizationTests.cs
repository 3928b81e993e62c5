using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Organizations;

public sealed class OrganizationTests
{
    [Fact]
    public async Task FreshInstallationHasTheDefaultOrganizationAndDemoProjectOnce()
    {
        await using var app = new TokensApplication();
        _ = app.Server;

        var (organizations, projects) = await app.WithDbAsync(async db => (
            await db.Organizations.Select(o => o.Slug).ToListAsync(),
            await db.Projects.Select(p => new { p.Slug, Organization = p.Organization!.Slug }).ToListAsync()));
        Assert.Equal(["pfnstudio"], organizations);
        Assert.Equal("pfnstudio-demo", Assert.Single(projects).Slug);
        Assert.Equal("pfnstudio", projects[0].Organization);

        // A second start against the same database adds nothing.
        await using var again = app.WithWebHostBuilder(_ => { });
        _ = again.Server;
        Assert.Equal(1, await app.WithDbAsync(db => db.Organizations.CountAsync()));
        Assert.Equal(1, await app.WithDbAsync(db => db.Projects.CountAsync()));
    }

    [Fact]
    public async Task FirstSignUpOwnsTheDefaultOrganizationAndLaterSignUpsJoinAsMembers()
    {
        await using var app = new TokensApplication();
        using (var first = app.CreateBrowser())
        {
            Assert.Equal(HttpStatusCode.OK, (await first.SignUpAsync("first@example.com")).Status);
        }

        using (var second = app.CreateBrowser())
        {
            Assert.Equal(HttpStatusCode.OK, (await second.SignUpAsync("second@example.com")).Status);
        }

        var roles = await app.WithDbAsync(db => db.Memberships
            .Where(m => m.Organization!.Slug == "pfnstudio")
            .Select(m => new { m.User!.Email, m.Role })
            .ToListAsync());
        Assert.Equal(OrganizationRole.Owner, roles.Single(r => r.Email == "first@example.com").Role);
        Assert.Equal(OrganizationRole.Member, roles.Single(r => r.Email == "second@example.com").Role);
    }

    [Fact]
    public async Task SignUpDoesNotJoinTheDefaultOrganizationWhenTheSettingIsOff()
    {
        await using var app = new TokensApplication();
        await using var off = app.WithWebHostBuilder(b => b.UseSetting("Organizations:JoinDefaultOnSignUp", "false"));
        using var browser = new BrowserSession(off.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = app.ClientOptions.BaseAddress, HandleCookies = true }));

        Assert.Equal(HttpStatusCode.OK, (await browser.SignUpAsync("solo@example.com")).Status);

        Assert.True(await app.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == "solo@example.com")));
        Assert.Equal(0, await app.WithDbAsync(db => db.Memberships.CountAsync()));
    }
}
