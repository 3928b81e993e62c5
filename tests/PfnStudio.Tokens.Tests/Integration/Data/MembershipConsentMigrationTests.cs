using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Data;

public sealed class MembershipConsentMigrationTests
{
    [Fact]
    public async Task MembershipsMadeBeforeInvitationsStayAcceptedAfterTheMigration()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("veteran@example.com");

        // Back to the schema before invitations (no AcceptedAt column), with a membership made then.
        await app.WithDbAsync(async db =>
        {
            var before = db.Database.GetMigrations().TakeWhile(m => !m.EndsWith("_MembershipConsent", StringComparison.Ordinal)).Last();
            await db.GetService<IMigrator>().MigrateAsync(before);
            return await db.Database.ExecuteSqlAsync(
                $"""INSERT INTO "Memberships" ("OrganizationId", "UserId", "Role", "CreatedAt") SELECT "Id", {user.Id}, 'Member', "CreatedAt" FROM "Organizations" WHERE "Slug" = 'pfnstudio'""");
        });

        await app.WithDbAsync(async db =>
        {
            await db.Database.MigrateAsync();
            return 0;
        });

        var row = await app.WithDbAsync(db => db.Memberships.AsNoTracking()
            .Where(m => m.UserId == user.Id)
            .Select(m => new { m.CreatedAt, m.AcceptedAt, OrganizationCreatedAt = m.Organization!.CreatedAt })
            .SingleAsync());
        Assert.Equal(row.OrganizationCreatedAt, row.CreatedAt);
        Assert.Equal(row.CreatedAt, row.AcceptedAt);

        // Accepted means it works: a token of theirs reaches the default organization's project.
        using var api = app.CreateClientWithToken(await app.IssueTokenAsync(user.Id, "old-ci"));
        using var runs = await api.GetAsync("/api/v1/projects/pfnstudio-demo/runs");
        Assert.Equal(System.Net.HttpStatusCode.OK, runs.StatusCode);
    }
}
