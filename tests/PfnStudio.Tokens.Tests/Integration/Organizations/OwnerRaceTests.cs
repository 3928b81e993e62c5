using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Organizations;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Organizations;

/// <summary>
/// An organization always keeps at least one accepted owner, also when its owners act at the same moment: each
/// race runs many times, on a fresh organization each time, with both changes released together.
/// </summary>
public sealed class OwnerRaceTests
{
    private const int Rounds = 15;

    [Fact]
    public async Task TwoOwnersDemotingEachOtherAtOnceLeaveExactlyOneOwner()
    {
        await using var app = new TokensApplication();
        var ada = await app.CreateUserAsync("ada@example.com");
        var bob = await app.CreateUserAsync("bob@example.com");

        for (var round = 0; round < Rounds; round++)
        {
            var slug = await TwoOwnersAsync(app, $"demote-{round}", ada.Id, bob.Id);

            var results = await RaceAsync(app,
                m => m.ChangeRoleAsync(slug, ada.Id, bob.Id, OrganizationRole.Admin),
                m => m.ChangeRoleAsync(slug, bob.Id, ada.Id, OrganizationRole.Admin));

            Assert.Single(results, r => r.Succeeded);
            Assert.Equal(1, await OwnerCountAsync(app, slug));
            Assert.Equal(2, await MemberCountAsync(app, slug));
        }
    }

    [Fact]
    public async Task TwoOwnersRemovingEachOtherAtOnceLeaveOneOwnerWhoseTokensSurvive()
    {
        await using var app = new TokensApplication();
        var ada = await app.CreateUserAsync("ada@example.com");
        var bob = await app.CreateUserAsync("bob@example.com");

        for (var round = 0; round < Rounds; round++)
        {
            var slug = await TwoOwnersAsync(app, $"remove-{round}", ada.Id, bob.Id);
            var adaToken = await app.IssueTokenAsync(ada.Id, $"ada {round}");
            var bobToken = await app.IssueTokenAsync(bob.Id, $"bob {round}");

            var results = await RaceAsync(app,
                m => m.RemoveMemberAsync(slug, ada.Id, bob.Id),
                m => m.RemoveMemberAsync(slug, bob.Id, ada.Id));

            Assert.Single(results, r => r.Succeeded);
            Assert.Equal(1, await OwnerCountAsync(app, slug));
            Assert.Equal(1, await MemberCountAsync(app, slug));

            // The one removed lost their tokens with them; the survivor's still work.
            var adaStayed = results[0].Succeeded; // Ada removed Bob
            using var adaApi = app.CreateClientWithToken(adaToken);
            using var bobApi = app.CreateClientWithToken(bobToken);
            Assert.Equal(adaStayed ? HttpStatusCode.OK : HttpStatusCode.Unauthorized, (await adaApi.GetAsync("/api/v1/me")).StatusCode);
            Assert.Equal(adaStayed ? HttpStatusCode.Unauthorized : HttpStatusCode.OK, (await bobApi.GetAsync("/api/v1/me")).StatusCode);
        }
    }

    [Fact]
    public async Task AnOwnerDemotingTheOtherWhileTheOtherRemovesThemLeavesAnOwner()
    {
        await using var app = new TokensApplication();
        var ada = await app.CreateUserAsync("ada@example.com");
        var bob = await app.CreateUserAsync("bob@example.com");

        for (var round = 0; round < Rounds; round++)
        {
            var slug = await TwoOwnersAsync(app, $"mixed-{round}", ada.Id, bob.Id);

            var results = await RaceAsync(app,
                m => m.ChangeRoleAsync(slug, ada.Id, bob.Id, OrganizationRole.Member),
                m => m.RemoveMemberAsync(slug, bob.Id, ada.Id));

            Assert.Single(results, r => r.Succeeded);
            Assert.Equal(1, await OwnerCountAsync(app, slug));
        }
    }

    [Fact]
    public async Task TwoOwnersLeavingAtOnceLeaveOneOfThemOwner()
    {
        await using var app = new TokensApplication();
        var ada = await app.CreateUserAsync("ada@example.com");
        var bob = await app.CreateUserAsync("bob@example.com");

        for (var round = 0; round < Rounds; round++)
        {
            var slug = await TwoOwnersAsync(app, $"leave-{round}", ada.Id, bob.Id);

            var results = await RaceAsync(app,
                m => m.RemoveMemberAsync(slug, ada.Id, ada.Id),
                m => m.RemoveMemberAsync(slug, bob.Id, bob.Id));

            Assert.Single(results, r => r.Succeeded);
            Assert.Equal("An organization needs at least one owner; make someone else an owner first.", results.Single(r => !r.Succeeded).Message);
            Assert.Equal(1, await OwnerCountAsync(app, slug));
        }
    }

    [Fact]
    public async Task TwoOwnersDemotingEachOtherOnTheMembersPageAtOnceLeaveAnOwnerAndNo500()
    {
        await using var app = new TokensApplication();
        using var ada = app.CreateBrowser();
        using var bob = app.CreateBrowser();
        await ada.SignUpAsync("ada@example.com");
        await bob.SignUpAsync("bob@example.com");
        var adaId = await UserIdAsync(app, "ada@example.com");
        var bobId = await UserIdAsync(app, "bob@example.com");

        for (var round = 0; round < 5; round++)
        {
            var slug = await TwoOwnersAsync(app, $"page-{round}", adaId, bobId);
            var adaPage = await ada.GetAsync($"/organizations/{slug}/members");
            var bobPage = await bob.GetAsync($"/organizations/{slug}/members");

            var pages = await Task.WhenAll(
                ada.SubmitAsync(adaPage, "tr[data-member='bob@example.com'] form.role-form", new Dictionary<string, string> { ["role"] = "admin" }),
                bob.SubmitAsync(bobPage, "tr[data-member='ada@example.com'] form.role-form", new Dictionary<string, string> { ["role"] = "admin" }));

            Assert.All(pages, p => Assert.True(p.Status is HttpStatusCode.OK or HttpStatusCode.NotFound, $"answered {p.Status}"));
            Assert.Equal(1, await OwnerCountAsync(app, slug));
        }
    }

    // A fresh organization owned by both, created the way the operator would.
    private static async Task<string> TwoOwnersAsync(TokensApplication app, string slug, string firstOwnerId, string secondOwnerId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        Assert.True((await scope.ServiceProvider.GetRequiredService<OrganizationService>().CreateOrganizationAsync(slug, null, firstOwnerId)).Succeeded);
        var email = await UserEmailAsync(app, secondOwnerId);
        var added = await scope.ServiceProvider.GetRequiredService<MembershipService>().AddMemberAsync(slug, null, email, OrganizationRole.Owner);
        Assert.True(added.Succeeded, added.Message);
        return slug;
    }

    // Both changes start together, each in a scope (and a DbContext, a connection) of its own, as two requests would.
    private static async Task<OrganizationResult[]> RaceAsync(
        TokensApplication app, Func<MembershipService, Task<OrganizationResult>> first, Func<MembershipService, Task<OrganizationResult>> second)
    {
        using var gate = new ManualResetEventSlim();
        var tasks = new[] { first, second }.Select(change => Task.Run(async () =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var memberships = scope.ServiceProvider.GetRequiredService<MembershipService>();
            gate.Wait();
            return await change(memberships);
        })).ToArray();
        gate.Set();
        return await Task.WhenAll(tasks);
    }

    private static Task<int> OwnerCountAsync(TokensApplication app, string slug) => app.WithDbAsync(db =>
        db.Memberships.CountAsync(m => m.Organization!.Slug == slug && m.Role == OrganizationRole.Owner && m.AcceptedAt != null));

    private static Task<int> MemberCountAsync(TokensApplication app, string slug) => app.WithDbAsync(db =>
        db.Memberships.CountAsync(m => m.Organization!.Slug == slug && m.AcceptedAt != null));

    private static Task<string> UserIdAsync(TokensApplication app, string email) =>
        app.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());

    private static Task<string> UserEmailAsync(TokensApplication app, string userId) =>
        app.WithDbAsync(async db => (await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleAsync())!);
}
