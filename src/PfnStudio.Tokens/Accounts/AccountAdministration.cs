using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Audit;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.PersonalAccessTokens;

namespace PfnStudio.Tokens.Accounts;

/// <summary>The outcome of an account change, with one sentence for the operator.</summary>
/// <param name="Succeeded">Whether the change was made (when not, nothing changed).</param>
/// <param name="Message">What happened, or why nothing did.</param>
/// <param name="LastOwnerOf">When a deletion was refused for it: the organization the person is the last owner of.</param>
internal sealed record AccountChangeResult(bool Succeeded, string Message, string? LastOwnerOf = null);

/// <summary>
/// Cuts a person off, through Identity's <see cref="UserManager{TUser}"/> and its security stamp: disable (sessions
/// end, sign-in refused, tokens answer 401 but stay unrevoked), enable again, and delete (tokens revoked, sessions
/// ended, the row anonymised). Each change and its audit row are one transaction.
/// </summary>
/// <remarks>
/// A deleted account's row is kept, anonymised, rather than removed: the audit rows, runs and token rows that
/// name it keep their owner (the foreign keys from audit events and tokens cascade, so removing the row would erase
/// the history), and it shows as <see cref="ApplicationUser.DeletedUserName"/>. Its e-mail address becomes a
/// placeholder under the reserved <c>.invalid</c> domain (RFC 2606), so the address is free for a new account.
/// </remarks>
internal sealed class AccountAdministration(
    TokensDbContext db,
    UserManager<ApplicationUser> users,
    PersonalAccessTokenService tokens,
    AccountActivity activity,
    TimeProvider time,
    ILogger<AccountAdministration> logger)
{
    /// <summary>Audit detail of a change made with the host's operator command line.</summary>
    public const string ByOperatorCommandLine = "by the operator command line";

    /// <summary>Audit detail of an account deleted by its owner on the account page.</summary>
    public const string ByOwnerOnAccountPage = "by its owner on the account page";

    /// <summary>
    /// Disables the account: sign-in is refused with "This account is disabled.", every session ends on its next
    /// request (a new security stamp), and its tokens answer 401 on their next request on every host; they are not
    /// revoked.
    /// </summary>
    public async Task<AccountChangeResult> DisableAsync(string? email, CancellationToken cancellationToken = default)
    {
        var user = await FindAsync(email);
        if (user is null)
        {
            return NoAccount(email);
        }

        if (user.DisabledAt is { } since)
        {
            return new(false, $"{user.Email} is already disabled (since {Instant(since)}).");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        user.DisabledAt = time.GetUtcNow();

        // A new stamp refuses every existing cookie on its next request, on every host.
        var updated = await users.UpdateSecurityStampAsync(user);
        if (!updated.Succeeded)
        {
            return new(false, updated.Errors.First().Description);
        }

        await AuditAsync(user.Id, AuditEventKind.AccountDisabled, "disabled " + ByOperatorCommandLine, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var active = await ActiveTokenCountAsync(user.Id, cancellationToken);
        AccountLog.Disabled(logger, user.Id);
        return new(true, string.Create(CultureInfo.InvariantCulture,
            $"Disabled {user.Email}: its sessions have ended and its {active} active token(s) are refused until it is enabled."));
    }

    /// <summary>Enables a disabled account again: it may sign in, and its tokens (never revoked by disabling) work again.</summary>
    public async Task<AccountChangeResult> EnableAsync(string? email, CancellationToken cancellationToken = default)
    {
        var user = await FindAsync(email);
        if (user is null)
        {
            return NoAccount(email);
        }

        if (user.DisabledAt is null)
        {
            return new(false, $"{user.Email} is not disabled.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        user.DisabledAt = null;
        var updated = await users.UpdateAsync(user);
        if (!updated.Succeeded)
        {
            return new(false, updated.Errors.First().Description);
        }

        await AuditAsync(user.Id, AuditEventKind.AccountEnabled, "enabled " + ByOperatorCommandLine, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var active = await ActiveTokenCountAsync(user.Id, cancellationToken);
        AccountLog.Enabled(logger, user.Id);
        return new(true, string.Create(CultureInfo.InvariantCulture,
            $"Enabled {user.Email}: it can sign in again and its {active} active token(s) work again."));
    }

    /// <summary>
    /// What deleting the account would do, or why it is refused (the last owner of an organization that has other
    /// members or invitations); changes nothing.
    /// </summary>
    public async Task<AccountChangeResult> DescribeDeletionAsync(string? email, CancellationToken cancellationToken = default)
    {
        var user = await FindAsync(email);
        if (user is null)
        {
            return NoAccount(email);
        }

        if (await LastOwnerOfAsync(user.Id, cancellationToken) is { } organization)
        {
            return LastOwner(user, organization);
        }

        var active = await ActiveTokenCountAsync(user.Id, cancellationToken);
        var memberships = await db.Memberships.CountAsync(m => m.UserId == user.Id, cancellationToken);
        return new(true, string.Create(CultureInfo.InvariantCulture,
            $"Deleting {user.Email} revokes its {active} active token(s), ends its sessions and removes it from {memberships} organization(s); its audit rows and runs stay, shown as \"{ApplicationUser.DeletedUserName}\"."));
    }

    /// <summary>
    /// Deletes the account, in one transaction: refuses while the person is the last owner of an organization that
    /// has other members or invitations (naming it); otherwise revokes every active token (each an audit row),
    /// removes their memberships, logins, claims and authenticator keys, anonymises the row and updates its
    /// security stamp, so every session ends on its next request.
    /// </summary>
    public async Task<AccountChangeResult> DeleteAsync(string? email, CancellationToken cancellationToken = default)
    {
        var user = await FindAsync(email);
        return user is null ? NoAccount(email) : await DeleteAsync(user, ByOperatorCommandLine, cancellationToken);
    }

    /// <summary>
    /// Deletes the signed-in person's own account (the account page, after their password and second factor were
    /// checked), exactly as <see cref="DeleteAsync(string?, CancellationToken)"/> does; the audit row says so.
    /// </summary>
    public Task<AccountChangeResult> DeleteOwnAsync(ApplicationUser user, CancellationToken cancellationToken = default) =>
        user.DeletedAt is not null
            ? Task.FromResult(NoAccount(user.Email))
            : DeleteAsync(user, ByOwnerOnAccountPage, cancellationToken);

    private async Task<AccountChangeResult> DeleteAsync(ApplicationUser user, string by, CancellationToken cancellationToken)
    {
        var address = user.Email;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var owned = await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == user.Id && m.Role == OrganizationRole.Owner && m.AcceptedAt != null)
            .Select(m => m.OrganizationId)
            .ToListAsync(cancellationToken);
        if (db.Database.IsNpgsql())
        {
            // The same per-organization lock as every membership change, in a fixed order: no one can demote or
            // remove the other owner between this check and the commit.
            foreach (var id in owned.Order())
            {
                var key = $"organization:{id}";
                await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))", cancellationToken);
            }
        }

        if (await LastOwnerOfAsync(user.Id, cancellationToken) is { } organization)
        {
            return LastOwner(user, organization);
        }

        var now = time.GetUtcNow();
        var revoked = await tokens.RevokeAllAsync(user.Id, RevocationDetails.AccountDeleted, cancellationToken);
        var left = await db.Memberships.Where(m => m.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        await db.UserLogins.Where(l => l.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        await db.UserClaims.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        await db.UserTokens.Where(t => t.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        await db.UserRoles.Where(r => r.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);

        // Nothing personal stays: no address, password, phone or second factor. The placeholder keeps Identity's
        // validation (a unique, well-formed address) and can never receive mail or be signed in with.
        user.UserName = $"deleted-{user.Id}";
        user.Email = $"deleted-{user.Id}@deleted.invalid";
        user.EmailConfirmed = false;
        user.PasswordHash = null;
        user.PhoneNumber = null;
        user.PhoneNumberConfirmed = false;
        user.TwoFactorEnabled = false;
        user.LockoutEnd = null;
        user.AccessFailedCount = 0;
        user.DisabledAt ??= now;
        user.DeletedAt = now;
        var updated = await users.UpdateSecurityStampAsync(user);
        if (!updated.Succeeded)
        {
            return new(false, updated.Errors.First().Description);
        }

        await AuditAsync(user.Id, AuditEventKind.AccountDeleted, "deleted " + by, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        AccountLog.Deleted(logger, user.Id, revoked);
        return new(true, string.Create(CultureInfo.InvariantCulture,
            $"Deleted {address}: {revoked} token(s) revoked, its sessions ended, removed from {left} organization(s); its audit rows and runs stay, shown as \"{ApplicationUser.DeletedUserName}\"."));
    }

    /// <summary>Revokes every active token of the account (each an audit row), in one transaction; the account stays as it is.</summary>
    public async Task<AccountChangeResult> RevokeAllTokensAsync(string? email, CancellationToken cancellationToken = default)
    {
        var user = await FindAsync(email);
        if (user is null)
        {
            return NoAccount(email);
        }

        var revoked = await tokens.RevokeAllAsync(user.Id, RevocationDetails.AllByOperatorCommandLine, cancellationToken);
        return new(true, string.Create(CultureInfo.InvariantCulture, $"Revoked {revoked} token(s) of {email?.Trim()}."));
    }

    // Identity's normalised form, as sign-in compares it; a deleted account is no account.
    private async Task<ApplicationUser?> FindAsync(string? email)
    {
        var address = email?.Trim();
        if (string.IsNullOrEmpty(address))
        {
            return null;
        }

        var user = await users.FindByEmailAsync(address);
        return user is { DeletedAt: null } ? user : null;
    }

    // The first organization (by slug) whose only owner is this person while someone else belongs to it or is invited.
    private Task<string?> LastOwnerOfAsync(string userId, CancellationToken cancellationToken) =>
        db.Memberships.AsNoTracking()
            .Where(m => m.UserId == userId && m.Role == OrganizationRole.Owner && m.AcceptedAt != null)
            .Where(m => !db.Memberships.Any(o => o.OrganizationId == m.OrganizationId && o.UserId != userId
                && o.Role == OrganizationRole.Owner && o.AcceptedAt != null))
            .Where(m => db.Memberships.Any(o => o.OrganizationId == m.OrganizationId && o.UserId != userId))
            .Select(m => m.Organization!.Slug)
            .OrderBy(slug => slug)
            .FirstOrDefaultAsync(cancellationToken);

    private Task<int> ActiveTokenCountAsync(string userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return db.PersonalAccessTokens.CountAsync(
            t => t.UserId == userId && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now), cancellationToken);
    }

    private Task AuditAsync(string userId, AuditEventKind kind, string detail, CancellationToken cancellationToken) =>
        activity.RecordAsync(userId, kind, clientAddress: null, detail, cancellationToken);

    private static AccountChangeResult NoAccount(string? email) =>
        new(false, $"no account has the email address \"{email}\".");

    private static AccountChangeResult LastOwner(ApplicationUser user, string organization) =>
        new(false, $"{user.Email} is the last owner of organization \"{organization}\", which has other members; make one of them an owner (orgs set-role) or remove them first. Nothing was deleted.", organization);

    private static string Instant(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}

/// <summary>Structured log events of account administration, with stable event ids and names.</summary>
internal static partial class AccountLog
{
    [LoggerMessage(EventId = 1401, EventName = "AccountDisabled", Level = LogLevel.Information,
        Message = "User {UserId} disabled: sessions ended, tokens refused")]
    public static partial void Disabled(ILogger logger, string userId);

    [LoggerMessage(EventId = 1402, EventName = "AccountEnabled", Level = LogLevel.Information,
        Message = "User {UserId} enabled again")]
    public static partial void Enabled(ILogger logger, string userId);

    [LoggerMessage(EventId = 1403, EventName = "AccountDeleted", Level = LogLevel.Information,
        Message = "User {UserId} deleted; {RevokedTokens} personal access tokens revoked")]
    public static partial void Deleted(ILogger logger, string userId, int revokedTokens);
}
