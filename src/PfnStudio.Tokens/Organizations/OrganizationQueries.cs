using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Organizations;

/// <summary>The store queries that every organization operation shares.</summary>
internal static class OrganizationQueries
{
    /// <summary>
    /// Memberships that were accepted: the only ones that grant a role, project access and sight of tokens. A
    /// pending invitation (<see cref="Membership.AcceptedAt"/> unset) counts nowhere.
    /// </summary>
    public static IQueryable<Membership> AcceptedMemberships(this TokensDbContext db) =>
        db.Memberships.AsNoTracking().Where(m => m.AcceptedAt != null);

    // The organization when the actor may manage it (operator, owner or admin), else null: a member who is
    // not an admin gets the same answer as a stranger, so the page reveals nothing about who manages what.
    public static async Task<(Organization? Organization, OrganizationRole Role)> FindManageableAsync(
        this TokensDbContext db, string slug, string? actingUserId, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Slug == slug, cancellationToken);
        if (organization is null)
        {
            return (null, OrganizationRole.Member);
        }

        if (actingUserId is null)
        {
            return (organization, OrganizationRole.Owner);
        }

        var role = await db.AcceptedMemberships()
            .Where(m => m.OrganizationId == organization.Id && m.UserId == actingUserId)
            .Select(m => (OrganizationRole?)m.Role)
            .FirstOrDefaultAsync(cancellationToken);
        return role is OrganizationRole.Owner or OrganizationRole.Admin ? (organization, role.Value) : (null, OrganizationRole.Member);
    }

    /// <summary>
    /// Opens the write transaction in which a change to the organization's memberships is decided and made, so
    /// that the rule "at least one accepted owner" is checked against what is committed, not against what was read
    /// before another owner's change: SQLite's <c>BEGIN IMMEDIATE</c> (Microsoft.Data.Sqlite's default) takes the
    /// database's write lock at once; on PostgreSQL, whose READ COMMITTED would let two transactions pass the same
    /// check, a transaction-scoped advisory lock per organization makes its changes take turns. Reads made after
    /// this returns see every change committed before it.
    /// </summary>
    /// <returns>The transaction, or <see langword="null"/> when no organization has the slug.</returns>
    public static async Task<IDbContextTransaction?> BeginOrganizationChangeAsync(
        this TokensDbContext db, string slug, CancellationToken cancellationToken)
    {
        var organizationId = await db.Organizations.AsNoTracking()
            .Where(o => o.Slug == slug)
            .Select(o => (Guid?)o.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (organizationId is null)
        {
            return null;
        }

        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (db.Database.IsNpgsql())
        {
            var key = $"organization:{organizationId.Value}";
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))", cancellationToken);
        }

        return transaction;
    }

    /// <summary>
    /// Whether the organization has an accepted owner other than <paramref name="userId"/>. Call it inside
    /// <see cref="BeginOrganizationChangeAsync"/>'s transaction, so no concurrent change can falsify the answer before
    /// the caller's change commits.
    /// </summary>
    public static Task<bool> HasAnotherOwnerAsync(this TokensDbContext db, Guid organizationId, string userId, CancellationToken cancellationToken) =>
        db.Memberships.AnyAsync(
            m => m.OrganizationId == organizationId && m.UserId != userId && m.Role == OrganizationRole.Owner && m.AcceptedAt != null,
            cancellationToken);

    // A unique index lost a race (or the row already exists): the caller re-reads and answers accordingly.
    public static async Task<bool> TrySaveAsync(this TokensDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

    /// <summary>The user id of the account with this e-mail address, or <see langword="null"/> (also for a deleted account).</summary>
    public static async Task<string?> FindUserIdByEmailAsync(this TokensDbContext db, string? email, CancellationToken cancellationToken = default)
    {
        var normalized = Accounts.AccountEmail.Normalize(email);
        if (string.IsNullOrEmpty(normalized))
        {
            return null;
        }

        return await db.Users.AsNoTracking()
            .Where(u => u.NormalizedEmail == normalized && u.DeletedAt == null)
            .Select(u => u.Id)
            .FirstOrDefaultAsync(cancellationToken);
    }
}
