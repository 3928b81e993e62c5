using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Organizations;

/// <summary>
/// Nobody gains sight of, or power over, another person's tokens without that person's consent: adding someone
/// on the members page is an invitation, and only an accepted invitation lets the organization's owners and
/// admins list, revoke and (by removal) revoke all of that person's tokens.
/// </summary>
public sealed class InvitationConsentTests
{
    private const string Invited = "If bob@example.com has an account, they are invited to \"secret\" as admin. They join when they accept on their Organizations page.";

    [Fact]
    public async Task AnInvitationGivesTheInviterNoSightOfTheTokensNoRevokeAndNoProjectAccess()
    {
        await using var app = new TokensApplication();
        var (alice, bob, bobToken) = await AliceAndBobAsync(app);
        using var aliceSession = alice;
        using var bobSession = bob;
        using var bobApi = app.CreateClientWithToken(bobToken);
        var bobId = await UserIdAsync(app, "bob@example.com");
        var bobTokenId = await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.UserId == bobId).Select(t => t.Id).SingleAsync());

        // The tester's repro: alice's own organization, bob added as admin without asking him.
        var members = await CreateOrganizationAsync(alice, "secret");
        members = await alice.SubmitAsync(members, "form.add-member", new Dictionary<string, string> { ["Input.Email"] = "bob@example.com", ["Input.Role"] = "admin" });
        Assert.Equal(Invited, members.Text("p.notice"));
        members = await alice.SubmitAsync(members, "form.create-project", new Dictionary<string, string> { ["Project.Slug"] = "secret-lab" });

        // Pending: listed without tokens, not as a member.
        Assert.Null(members.Document.QuerySelector("tr[data-member='bob@example.com']"));
        Assert.Equal("bob@example.com", members.Text("tr[data-pending='bob@example.com'] td.name"));
        Assert.DoesNotContain(bobToken[..26], members.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(bobTokenId.ToString(), members.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("bob-ci", members.Html, StringComparison.Ordinal);

        // A hand-made revoke of bob's token, a role change and a project call all fail.
        var revoke = await PostHandlerAsync(alice, members, "Revoke", new() { ["userId"] = bobId, ["tokenId"] = bobTokenId.ToString() });
        Assert.Equal("That person is not a member of this organization.", revoke.Text("p.notice"));
        var role = await PostHandlerAsync(alice, members, "Role", new() { ["userId"] = bobId, ["role"] = "member" });
        Assert.Equal("That invitation has not been accepted yet; cancel it and invite again with the role you want.", role.Text("p.notice"));
        using (var project = await bobApi.GetAsync("/api/v1/projects/secret-lab/runs"))
        {
            Assert.Equal(HttpStatusCode.NotFound, project.StatusCode);
        }

        // The invitation does not make bob an admin: he still cannot open the members page.
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync("/organizations/secret/members")).Status);

        // Removing the pending bob cancels the invitation and revokes nothing.
        var removed = await PostHandlerAsync(alice, members, "Remove", new() { ["userId"] = bobId });
        Assert.Equal("Invitation of bob@example.com to \"secret\" cancelled; no tokens revoked.", removed.Text("p.notice"));
        Assert.Null(removed.Document.QuerySelector("tr[data-pending='bob@example.com']"));
        Assert.False(await app.WithDbAsync(db => db.Memberships.AnyAsync(m => m.UserId == bobId && m.Organization!.Slug == "secret")));
        Assert.Null(await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Id == bobTokenId).Select(t => t.RevokedAt).SingleAsync()));
        using var stillWorks = await bobApi.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, stillWorks.StatusCode);
        using var demo = await bobApi.GetAsync("/api/v1/projects/pfnstudio-demo/runs");
        Assert.Equal(HttpStatusCode.OK, demo.StatusCode);
    }

    [Fact]
    public async Task AfterBobAcceptsTheOwnerSeesHisTokensAndRemovingHimRevokesThem()
    {
        await using var app = new TokensApplication();
        var (alice, bob, bobToken) = await AliceAndBobAsync(app);
        using var aliceSession = alice;
        using var bobSession = bob;
        using var bobApi = app.CreateClientWithToken(bobToken);
        var members = await CreateOrganizationAsync(alice, "secret");
        await alice.SubmitAsync(members, "form.add-member", new Dictionary<string, string> { ["Input.Email"] = "bob@example.com", ["Input.Role"] = "admin" });
        await alice.SubmitAsync(members, "form.create-project", new Dictionary<string, string> { ["Project.Slug"] = "secret-lab" });

        // Bob sees the invitation, with what accepting means, and accepts.
        var list = await bob.GetAsync("/organizations");
        Assert.Equal("admin", list.Document.QuerySelector("tr[data-invitation='secret'] td:nth-child(2)")?.TextContent);
        Assert.Contains("see your active personal access tokens", list.Text("section[aria-labelledby='invitations-title'] p.hint"), StringComparison.Ordinal);
        Assert.DoesNotContain("secret", list.Texts("table.organizations code"));
        var accepted = await bob.SubmitAsync(list, "tr[data-invitation='secret'] form.accept-form");
        Assert.Equal(HttpStatusCode.OK, accepted.Status);
        Assert.Equal("You joined \"secret\" as admin.", accepted.Text("p.notice"));
        Assert.Null(accepted.Document.QuerySelector("tr[data-invitation='secret']"));
        Assert.Contains("secret", accepted.Texts("table.organizations code"));
        Assert.NotNull(await app.WithDbAsync(db => db.Memberships.Where(m => m.User!.Email == "bob@example.com" && m.Organization!.Slug == "secret").Select(m => m.AcceptedAt).SingleAsync()));
        using (var project = await bobApi.GetAsync("/api/v1/projects/secret-lab/runs"))
        {
            Assert.Equal(HttpStatusCode.OK, project.StatusCode);
        }

        // Now alice (owner) sees his token, and removing him revokes it in the same step.
        var page = await alice.GetAsync("/organizations/secret/members");
        Assert.Null(page.Document.QuerySelector("tr[data-pending='bob@example.com']"));
        Assert.Contains($"{bobToken[..26]}…", page.Text("tr[data-member='bob@example.com'] table.member-tokens"), StringComparison.Ordinal);
        var removed = await alice.SubmitAsync(page, "tr[data-member='bob@example.com'] form.remove-form");
        Assert.Equal("bob@example.com removed from \"secret\"; 1 token revoked.", removed.Text("p.notice"));
        using var after = await bobApi.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task DecliningRemovesTheInvitationAndAStrangerCannotAcceptOrDeclineSomeoneElses()
    {
        await using var app = new TokensApplication();
        var (alice, bob, bobToken) = await AliceAndBobAsync(app);
        using var aliceSession = alice;
        using var bobSession = bob;
        using var carol = app.CreateBrowser();
        await carol.SignUpAsync("carol@example.com");
        var members = await CreateOrganizationAsync(alice, "secret");
        members = await alice.SubmitAsync(members, "form.add-member", new Dictionary<string, string> { ["Input.Email"] = "bob@example.com", ["Input.Role"] = "admin" });
        Assert.Equal(Invited, members.Text("p.notice"));

        // Carol posts Accept and Decline for "secret" (valid antiforgery, her own session): 404, nothing changes.
        var carolList = await carol.GetAsync("/organizations");
        Assert.Null(carolList.Document.QuerySelector("tr[data-invitation='secret']"));
        foreach (var handler in new[] { "Accept", "Decline" })
        {
            var refused = await PostFormAsync(carol, carolList, $"/organizations?handler={handler}", new() { ["slug"] = "secret" });
            Assert.Equal(HttpStatusCode.NotFound, refused.Status);
        }

        var rows = await app.WithDbAsync(db => db.Memberships
            .Where(m => m.Organization!.Slug == "secret")
            .Select(m => new { m.User!.Email, m.AcceptedAt })
            .ToListAsync());
        Assert.Equal(["alice@example.com", "bob@example.com"], rows.Select(r => r.Email).Order().ToList());
        Assert.Null(rows.Single(r => r.Email == "bob@example.com").AcceptedAt);

        // Bob declines: the invitation is gone, and accepting it afterwards is a 404.
        var list = await bob.GetAsync("/organizations");
        var declined = await bob.SubmitAsync(list, "tr[data-invitation='secret'] form.decline-form");
        Assert.Equal("You declined the invitation to \"secret\".", declined.Text("p.notice"));
        Assert.Null(declined.Document.QuerySelector("tr[data-invitation='secret']"));
        Assert.False(await app.WithDbAsync(db => db.Memberships.AnyAsync(m => m.User!.Email == "bob@example.com" && m.Organization!.Slug == "secret")));
        var late = await PostFormAsync(bob, declined, "/organizations?handler=Accept", new() { ["slug"] = "secret" });
        Assert.Equal(HttpStatusCode.NotFound, late.Status);
        var page = await alice.GetAsync("/organizations/secret/members");
        Assert.Null(page.Document.QuerySelector("tr[data-pending='bob@example.com']"));

        using var bobApi = app.CreateClientWithToken(bobToken);
        using var me = await bobApi.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task InvitingTwiceOrInvitingAMemberSaysSo()
    {
        await using var app = new TokensApplication();
        var (alice, bob, _) = await AliceAndBobAsync(app);
        using var aliceSession = alice;
        using var bobSession = bob;
        var members = await CreateOrganizationAsync(alice, "secret");
        var fields = new Dictionary<string, string> { ["Input.Email"] = "bob@example.com", ["Input.Role"] = "member" };
        await alice.SubmitAsync(members, "form.add-member", fields);

        var twice = await alice.SubmitAsync(members, "form.add-member", fields);
        Assert.Equal(HttpStatusCode.OK, twice.Status);
        Assert.Equal("bob@example.com is already invited to \"secret\"; they have not accepted yet.", twice.Text("form.add-member .field-error"));

        var list = await bob.GetAsync("/organizations");
        await bob.SubmitAsync(list, "tr[data-invitation='secret'] form.accept-form");
        var again = await alice.SubmitAsync(members, "form.add-member", fields);
        Assert.Equal("bob@example.com is already a member of \"secret\".", again.Text("form.add-member .field-error"));
    }

    // An installation owner signs up first (owner of the default organization); alice and bob join it as plain
    // members, so nothing alice sees comes from the default organization. Bob holds one token issued on his page.
    private static async Task<(BrowserSession Alice, BrowserSession Bob, string BobToken)> AliceAndBobAsync(TokensApplication app)
    {
        using (var first = app.CreateBrowser())
        {
            await first.SignUpAsync("root@example.com");
        }

        var alice = app.CreateBrowser();
        await alice.SignUpAsync("alice@example.com");
        var bob = app.CreateBrowser();
        await bob.SignUpAsync("bob@example.com");
        var token = (await bob.IssueOnPageAsync("bob-ci", "30")).RevealedToken()!;
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync("/organizations/pfnstudio/members")).Status);
        return (alice, bob, token);
    }

    private static async Task<BrowserSession.Page> CreateOrganizationAsync(BrowserSession browser, string slug)
    {
        var list = await browser.GetAsync("/organizations");
        var members = await browser.SubmitAsync(list, "form.create-organization", new Dictionary<string, string> { ["Input.Slug"] = slug });
        Assert.Equal($"/organizations/{slug}/members", members.Url.AbsolutePath);
        return members;
    }

    private static Task<string> UserIdAsync(TokensApplication app, string email) =>
        app.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());

    // A hand-made post to the members page's handler, carrying the page's antiforgery token.
    private static Task<BrowserSession.Page> PostHandlerAsync(
        BrowserSession browser, BrowserSession.Page members, string handler, Dictionary<string, string> fields) =>
        PostFormAsync(browser, members, $"{members.Url.AbsolutePath}?handler={handler}", fields);

    private static async Task<BrowserSession.Page> PostFormAsync(
        BrowserSession browser, BrowserSession.Page page, string action, Dictionary<string, string> fields)
    {
        var form = (IHtmlFormElement)page.Document.QuerySelector("form[method='post']")!;
        var posted = BrowserSession.FormFields(form).Where(f => f.Key == "__RequestVerificationToken").ToList();
        posted.AddRange(fields);
        form.Action = action;
        return await browser.PostAsync(page, form, posted);
    }
}
