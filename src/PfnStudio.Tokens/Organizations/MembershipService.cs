using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Audit;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.PersonalAccessTokens;

namespace PfnStudio.Tokens.Organizations;

/// <summary>
/// Memberships and invitations: adding (an invitation, unless the operator adds), accepting, declining, role
/// changes, removal (which revokes the member's tokens in the same transaction) and the members page's list. An acting
/// user id of <see langword="null"/> is the operator; otherwise owners and admins manage members, and only owners
/// grant, take away or remove ownership. An organization always keeps at least one owner.
/// <para>
/// Consent: adding someone from the members page only invites them (a membership with
/// <see cref="Membership.AcceptedAt"/> unset). Until the invited person accepts, the membership grants no
/// project access, does not count as a role anywhere, and gives the organization's owners and admins no sight
/// of their tokens and no power to revoke them; cancelling it revokes nothing.
/// </para>
/// </summary>
internal sealed class MembershipService(
    TokensDbContext db,
    PersonalAccessTokenService tokens,
    TimeProvider time,
    ILogger<MembershipService> logger)
{
    /// <summary>
    /// Invites the account with e-mail <paramref name="email"/> to the organization (an owner or admin asks: the
    /// membership stays pending until that person accepts), or adds it at once (the operator asks).
    /// </summary>
    /// <param name="organizationSlug">The organization.</param>
    /// <param name="actingUserId">
    /// Who asks (an owner or admin: an invitation), or <see langword="null"/> for the operator (an accepted membership).
    /// </param>
    /// <param name="email">The new member's e-mail address (case-insensitive).</param>
    /// <param name="role">The role to give; <see cref="OrganizationRole.Owner"/> only by an owner or the operator.</param>
    /// <param name="cancellationToken">Cancels the store calls.</param>
    public async Task<OrganizationResult> AddMemberAsync(
        string organizationSlug, string? actingUserId, string? email, OrganizationRole role, CancellationToken cancellationToken = default)
    {
        // Decided under the organization's lock: an owner demoted a moment ago no longer grants ownership.
        await using var transaction = await db.BeginOrganizationChangeAsync(organizationSlug, cancellationToken);
        var (organization, actingRole) = transaction is null
            ? (null, OrganizationRole.Member)
            : await db.FindManageableAsync(organizationSlug, actingUserId, cancellationToken);
        if (organization is null)
        {
            return OrganizationResult.NotFound(organizationSlug);
        }

        if (role == OrganizationRole.Owner && actingRole != OrganizationRole.Owner)
        {
            return OrganizationResult.Invalid("Only an owner can make someone an owner.");
        }

        var userId = await db.FindUserIdByEmailAsync(email, cancellationToken);
        if (userId is null)
        {
            // The operator is trusted and needs the plain reason; an inviter on the page gets the answer a real
            // invitation gets, so the form does not tell which e-mail addresses have an account.
            return actingUserId is null
                ? OrganizationResult.Invalid($"No account has the email address \"{email?.Trim()}\". They must sign up first.")
                : OrganizationResult.Done(Invited(email!.Trim(), organization.Slug, role));
        }

        var address = email!.Trim();
        var existing = await db.Memberships.AsNoTracking()
            .Where(m => m.OrganizationId == organization.Id && m.UserId == userId)
            .Select(m => new { m.AcceptedAt })
            .FirstOrDefaultAsync(cancellationToken);
        if (existing is not null)
        {
            return OrganizationResult.Invalid(existing.AcceptedAt is null
                ? $"{address} is already invited to \"{organization.Slug}\"; they have not accepted yet."
                : $"{address} is already a member of \"{organization.Slug}\".");
        }

        // Only the operator (the host's command line) adds someone without their consent.
        var now = time.GetUtcNow();
        var immediate = actingUserId is null;
        db.Memberships.Add(new Membership
        {
            OrganizationId = organization.Id,
            UserId = userId,
            Role = role,
            CreatedAt = now,
            AcceptedAt = immediate ? now : null,
        });
        if (!await db.TrySaveAsync(cancellationToken))
        {
            return OrganizationResult.Invalid($"{address} is already a member of \"{organization.Slug}\" or invited to it.");
        }

        await transaction!.CommitAsync(cancellationToken);

        if (immediate)
        {
            OrganizationLog.MemberAdded(logger, organization.Slug, userId, role);
            return OrganizationResult.Done($"{address} added to \"{organization.Slug}\" as {OrganizationRules.RoleName(role)}.");
        }

        OrganizationLog.MemberInvited(logger, organization.Slug, userId, role, actingUserId!);
        return OrganizationResult.Done(Invited(address, organization.Slug, role));
    }

    private static string Invited(string address, string organization, OrganizationRole role) =>
        $"If {address} has an account, they are invited to \"{organization}\" as {OrganizationRules.RoleName(role)}. They join when they accept on their Organizations page.";

    /// <summary>
    /// Changes a member's role. The last accepted owner cannot be demoted; ownership moves only by an owner's hand
    /// (or the operator's). Everything is decided inside the organization's write transaction
    /// (<see cref="OrganizationQueries.BeginOrganizationChangeAsync"/>): of two owners demoting each other at the
    /// same moment, one succeeds and the other — no longer an owner, or the last one — is refused.
    /// </summary>
    public async Task<OrganizationResult> ChangeRoleAsync(
        string organizationSlug, string? actingUserId, string memberUserId, OrganizationRole role, CancellationToken cancellationToken = default)
    {
        await using var transaction = await db.BeginOrganizationChangeAsync(organizationSlug, cancellationToken);
        var (organization, actingRole) = transaction is null
            ? (null, OrganizationRole.Member)
            : await db.FindManageableAsync(organizationSlug, actingUserId, cancellationToken);
        if (organization is null)
        {
            return OrganizationResult.NotFound(organizationSlug);
        }

        var membership = await db.Memberships.Include(m => m.User)
            .FirstOrDefaultAsync(m => m.OrganizationId == organization.Id && m.UserId == memberUserId, cancellationToken);
        if (membership is null)
        {
            return OrganizationResult.Invalid("That person is not a member of this organization.");
        }

        if (membership.AcceptedAt is null)
        {
            return OrganizationResult.Invalid("That invitation has not been accepted yet; cancel it and invite again with the role you want.");
        }

        if ((role == OrganizationRole.Owner || membership.Role == OrganizationRole.Owner) && actingRole != OrganizationRole.Owner)
        {
            return OrganizationResult.Invalid("Only an owner can grant or take away ownership.");
        }

        if (membership.Role == OrganizationRole.Owner && role != OrganizationRole.Owner
            && !await db.HasAnotherOwnerAsync(organization.Id, memberUserId, cancellationToken))
        {
            return OrganizationResult.Invalid("An organization needs at least one owner; make someone else an owner first.");
        }

        membership.Role = role;
        await db.SaveChangesAsync(cancellationToken);
        await transaction!.CommitAsync(cancellationToken);
        OrganizationLog.RoleChanged(logger, organization.Slug, memberUserId, role);
        return OrganizationResult.Done($"{membership.User?.Email} is now {OrganizationRules.RoleName(role)} of \"{organization.Slug}\".");
    }

    /// <summary>
    /// Removes an accepted member and, in the same transaction, revokes every active personal access token they
    /// hold, so nothing they automated keeps acting in the organization after they leave. For a pending
    /// invitation it only cancels the invitation: that person never consented, so none of their tokens is touched.
    /// </summary>
    public async Task<OrganizationResult> RemoveMemberAsync(
        string organizationSlug, string? actingUserId, string memberUserId, CancellationToken cancellationToken = default)
    {
        // One transaction, in which the rules are checked and the change is made: either they are gone and their
        // tokens are revoked, or nothing changed; and of two owners removing each other at once, the second finds
        // it is no longer an owner (or the last one) and is refused. The token service shares this scope's
        // DbContext, so its revokes run inside the transaction. Leaving is removing yourself: the same rules.
        await using var transaction = await db.BeginOrganizationChangeAsync(organizationSlug, cancellationToken);
        var (organization, actingRole) = transaction is null
            ? (null, OrganizationRole.Member)
            : await db.FindManageableAsync(organizationSlug, actingUserId, cancellationToken);
        if (organization is null)
        {
            return OrganizationResult.NotFound(organizationSlug);
        }

        var membership = await db.Memberships.AsNoTracking().Include(m => m.User)
            .FirstOrDefaultAsync(m => m.OrganizationId == organization.Id && m.UserId == memberUserId, cancellationToken);
        if (membership is null)
        {
            return OrganizationResult.Invalid("That person is not a member of this organization.");
        }

        if (membership.AcceptedAt is null)
        {
            var cancelled = await CancelInvitationAsync(organization, membership, cancellationToken);
            await transaction!.CommitAsync(cancellationToken);
            return cancelled;
        }

        if (membership.Role == OrganizationRole.Owner && actingRole != OrganizationRole.Owner)
        {
            return OrganizationResult.Invalid("Only an owner can remove an owner.");
        }

        if (membership.Role == OrganizationRole.Owner && !await db.HasAnotherOwnerAsync(organization.Id, memberUserId, cancellationToken))
        {
            return OrganizationResult.Invalid("An organization needs at least one owner; make someone else an owner first.");
        }

        var deleted = await db.Memberships
            .Where(m => m.OrganizationId == organization.Id && m.UserId == memberUserId && m.AcceptedAt != null)
            .ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            // Removed meanwhile by someone else: nothing to do, and no tokens to revoke on this request's say-so.
            return OrganizationResult.Invalid("That person is not a member of this organization.");
        }

        // Full-access tokens reached this organization, and so did fine-grained ones for it; fine-grained tokens
        // for other organizations keep working.
        var active = (await tokens.ListAsync(memberUserId, cancellationToken)).Active
            .Where(t => t.Access.IsFullAccess || t.Access.OrganizationId == organization.Id);
        var revoked = 0;
        foreach (var token in active)
        {
            if (await tokens.RevokeAsync(memberUserId, token.Id, RevocationDetails.RemovedFromOrganization(organization.Slug), cancellationToken) is not null)
            {
                revoked++;
            }
        }

        await transaction!.CommitAsync(cancellationToken);
        OrganizationLog.MemberRemoved(logger, organization.Slug, memberUserId, revoked);
        return OrganizationResult.Done(
            $"{membership.User?.Email} removed from \"{organization.Slug}\"; {revoked} token{(revoked == 1 ? "" : "s")} revoked.");
    }

    /// <summary>Revokes one active token of a member, on behalf of an owner or admin of the organization.</summary>
    public async Task<OrganizationResult> RevokeMemberTokenAsync(
        string organizationSlug, string actingUserId, string memberUserId, Guid tokenId, CancellationToken cancellationToken = default)
    {
        var (organization, actingRole) = await db.FindManageableAsync(organizationSlug, actingUserId, cancellationToken);
        if (organization is null)
        {
            return OrganizationResult.NotFound(organizationSlug);
        }

        var memberRole = await db.AcceptedMemberships()
            .Where(m => m.OrganizationId == organization.Id && m.UserId == memberUserId)
            .Select(m => (OrganizationRole?)m.Role)
            .FirstOrDefaultAsync(cancellationToken);
        if (memberRole is null)
        {
            return OrganizationResult.Invalid("That person is not a member of this organization.");
        }

        if (memberRole == OrganizationRole.Owner && actingRole != OrganizationRole.Owner && memberUserId != actingUserId)
        {
            return OrganizationResult.Invalid("Only an owner can revoke an owner's tokens.");
        }

        // Only tokens that reach this organization are its business: a fine-grained token for another
        // organization reads as not found, like another user's token.
        var organizationId = organization.Id;
        var reachesHere = await db.PersonalAccessTokens.AsNoTracking()
            .AnyAsync(t => t.Id == tokenId && t.UserId == memberUserId && (t.OrganizationId == null || t.OrganizationId == organizationId), cancellationToken);
        var name = reachesHere
            ? await tokens.RevokeAsync(memberUserId, tokenId, RevocationDetails.ByOrganization(organization.Slug), cancellationToken)
            : null;
        return name is null
            ? OrganizationResult.Invalid("Token not found. It may already have been revoked.")
            : OrganizationResult.Done($"Token \u201c{name}\u201d revoked. Anything still using it now gets 401.");
    }

    /// <summary>The invitations waiting for <paramref name="userId"/> to accept or decline, alphabetical by slug.</summary>
    public async Task<IReadOnlyList<InvitationSummary>> ListInvitationsForUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        var rows = await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == userId && m.AcceptedAt == null)
            .Select(m => new InvitationSummary(m.Organization!.Slug, m.Organization.Name, m.Role, m.CreatedAt))
            .ToListAsync(cancellationToken);
        return rows.OrderBy(r => r.Slug, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Accepts <paramref name="userId"/>'s own pending invitation to the organization: from now on they use its
    /// projects, and its owners and admins see and may revoke their tokens.
    /// </summary>
    /// <returns><see cref="OrganizationOutcome.NotFound"/> when this user has no pending invitation there.</returns>
    public async Task<OrganizationResult> AcceptInvitationAsync(string organizationSlug, string userId, CancellationToken cancellationToken = default)
    {
        var membership = await db.Memberships
            .FirstOrDefaultAsync(m => m.Organization!.Slug == organizationSlug && m.UserId == userId && m.AcceptedAt == null, cancellationToken);
        if (membership is null)
        {
            return OrganizationResult.NotFound(organizationSlug);
        }

        membership.AcceptedAt = time.GetUtcNow();

        // Cancelled meanwhile: the update finds no row (a concurrency failure), and the answer is the same 404.
        if (!await db.TrySaveAsync(cancellationToken))
        {
            return OrganizationResult.NotFound(organizationSlug);
        }

        OrganizationLog.InvitationAccepted(logger, organizationSlug, userId, membership.Role);
        return OrganizationResult.Done($"You joined \"{organizationSlug}\" as {OrganizationRules.RoleName(membership.Role)}.");
    }

    /// <summary>Declines (deletes) <paramref name="userId"/>'s own pending invitation to the organization.</summary>
    /// <returns><see cref="OrganizationOutcome.NotFound"/> when this user has no pending invitation there.</returns>
    public async Task<OrganizationResult> DeclineInvitationAsync(string organizationSlug, string userId, CancellationToken cancellationToken = default)
    {
        var deleted = await db.Memberships
            .Where(m => m.Organization!.Slug == organizationSlug && m.UserId == userId && m.AcceptedAt == null)
            .ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            return OrganizationResult.NotFound(organizationSlug);
        }

        OrganizationLog.InvitationDeclined(logger, organizationSlug, userId);
        return OrganizationResult.Done($"You declined the invitation to \"{organizationSlug}\".");
    }

    /// <summary>
    /// The organization's accepted members (by e-mail) with each one's active tokens, and its pending invitations
    /// (without tokens), for an owner or admin; <see langword="null"/> when the organization is missing or the
    /// user may not manage it.
    /// </summary>
    public async Task<MemberList?> ListMembersAsync(
        string organizationSlug, string actingUserId, CancellationToken cancellationToken = default)
    {
        var (organization, _) = await db.FindManageableAsync(organizationSlug, actingUserId, cancellationToken);
        if (organization is null)
        {
            return null;
        }

        var rows = await db.Memberships.AsNoTracking()
            .Where(m => m.OrganizationId == organization.Id)
            .Select(m => new { m.UserId, m.User!.Email, m.Role, m.CreatedAt, m.AcceptedAt })
            .ToListAsync(cancellationToken);
        // Only someone who accepted has agreed to have their tokens seen and revoked from here; all of their
        // active tokens come in one query, not one per member.
        var activeByOwner = await tokens.ListActiveAsync(
            rows.Where(r => r.AcceptedAt is not null).Select(r => r.UserId).ToList(), cancellationToken);
        var members = new List<MemberSummary>(rows.Count);
        var pending = new List<PendingMemberSummary>();
        foreach (var row in rows.OrderBy(m => m.Email, StringComparer.OrdinalIgnoreCase))
        {
            if (row.AcceptedAt is { } acceptedAt)
            {
                // Their tokens that reach this organization: full access, and fine-grained ones for it. Tokens for
                // other organizations are none of this organization's business (nor are those organizations' names).
                var active = activeByOwner[row.UserId]
                    .Where(t => t.Access.IsFullAccess || t.Access.OrganizationId == organization.Id)
                    .ToList();
                members.Add(new MemberSummary(row.UserId, row.Email ?? string.Empty, row.Role, acceptedAt, active));
            }
            else
            {
                pending.Add(new PendingMemberSummary(row.UserId, row.Email ?? string.Empty, row.Role, row.CreatedAt));
            }
        }

        return new MemberList(members, pending);
    }

    // A pending invitation is only deleted: nobody consented, so nothing of theirs is revoked. The delete is
    // conditional, so an invitation accepted a moment ago is not removed on a page that still showed it pending.
    private async Task<OrganizationResult> CancelInvitationAsync(Organization organization, Membership invitation, CancellationToken cancellationToken)
    {
        var deleted = await db.Memberships
            .Where(m => m.OrganizationId == organization.Id && m.UserId == invitation.UserId && m.AcceptedAt == null)
            .ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            return OrganizationResult.Invalid("That invitation was accepted or cancelled meanwhile; reload the page and try again.");
        }

        OrganizationLog.InvitationCancelled(logger, organization.Slug, invitation.UserId);
        return OrganizationResult.Done($"Invitation of {invitation.User?.Email} to \"{organization.Slug}\" cancelled; no tokens revoked.");
    }
}
