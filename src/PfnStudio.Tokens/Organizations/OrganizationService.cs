using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Infrastructure;

namespace PfnStudio.Tokens.Organizations;

/// <summary>
/// Organizations: the default one, sign-up into it, creating one, and the lists a user sees. Memberships and
/// invitations are <see cref="MembershipService"/>'s, projects <see cref="ProjectService"/>'s. An acting user id of <see langword="null"/> is the operator (the host's command line), who may do
/// anything; otherwise owners and admins manage members and projects, and only owners grant, take away or
/// remove ownership. An organization always keeps at least one owner.
/// <para>
/// Consent: adding someone from the members page only invites them (a membership with
/// <see cref="Membership.AcceptedAt"/> unset). Until the invited person accepts, the membership grants no
/// project access, does not count as a role anywhere, and gives the organization's owners and admins no sight
/// of their tokens and no power to revoke them; cancelling it revokes nothing. Signing up into the default
/// organization, creating your own organization and the operator's <c>orgs add-member</c> are accepted at once.
/// </para>
/// </summary>
internal sealed class OrganizationService(
    TokensDbContext db,
    TimeProvider time,
    IOptions<OrganizationOptions> options,
    ILogger<OrganizationService> logger)
{

    /// <summary>
    /// Creates the default organization (<c>pfnstudio</c>) and its project (<c>pfnstudio-demo</c>) when missing.
    /// Safe to call on every start and from several hosts at once.
    /// </summary>
    public async Task EnsureDefaultsAsync(CancellationToken cancellationToken = default)
    {
        var organization = await db.Organizations
            .FirstOrDefaultAsync(o => o.Slug == OrganizationOptions.DefaultOrganizationSlug, cancellationToken);
        if (organization is null)
        {
            organization = new Organization
            {
                Id = Guid.NewGuid(),
                Slug = OrganizationOptions.DefaultOrganizationSlug,
                Name = "PFN Studio",
                CreatedAt = time.GetUtcNow(),
            };
            db.Organizations.Add(organization);
            if (!await db.TrySaveAsync(cancellationToken))
            {
                // Another host created it first.
                organization = await db.Organizations.FirstAsync(o => o.Slug == OrganizationOptions.DefaultOrganizationSlug, cancellationToken);
            }
        }

        if (!await db.Projects.AnyAsync(p => p.Slug == OrganizationOptions.DefaultProjectSlug, cancellationToken))
        {
            db.Projects.Add(new Project
            {
                Id = Guid.NewGuid(),
                OrganizationId = organization.Id,
                Slug = OrganizationOptions.DefaultProjectSlug,
                CreatedAt = time.GetUtcNow(),
            });
            await db.TrySaveAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Adds a newly created account to the default organization when <see cref="OrganizationOptions.JoinDefaultOnSignUp"/>
    /// is on: as owner when the organization has no members yet, else as member.
    /// </summary>
    /// <returns>The role given, or <see langword="null"/> when the setting is off or there is no default organization.</returns>
    public async Task<OrganizationRole?> JoinDefaultOnSignUpAsync(string userId, CancellationToken cancellationToken = default)
    {
        if (!options.Value.JoinDefaultOnSignUp)
        {
            return null;
        }

        var organization = await db.Organizations.AsNoTracking()
            .FirstOrDefaultAsync(o => o.Slug == OrganizationOptions.DefaultOrganizationSlug, cancellationToken);
        if (organization is null)
        {
            return null;
        }

        // Two first sign-ups at the same instant could both become owners; both are real people who signed up
        // first, so that outcome is acceptable and needs no lock.
        var role = await db.Memberships.AnyAsync(m => m.OrganizationId == organization.Id && m.AcceptedAt != null, cancellationToken)
            ? OrganizationRole.Member
            : OrganizationRole.Owner;
        var now = time.GetUtcNow();
        db.Memberships.Add(new Membership { OrganizationId = organization.Id, UserId = userId, Role = role, CreatedAt = now, AcceptedAt = now });
        if (!await db.TrySaveAsync(cancellationToken))
        {
            return null;
        }

        OrganizationLog.MemberAdded(logger, organization.Slug, userId, role);
        return role;
    }

    /// <summary>Creates an organization owned by <paramref name="ownerUserId"/>.</summary>
    /// <param name="slug">The slug as typed; trimmed, must follow <see cref="OrganizationRules.SlugRule"/> and be unused.</param>
    /// <param name="name">Display name; blank means the slug.</param>
    /// <param name="ownerUserId">The first owner.</param>
    /// <param name="cancellationToken">Cancels the store calls.</param>
    public async Task<OrganizationResult> CreateOrganizationAsync(
        string? slug, string? name, string ownerUserId, CancellationToken cancellationToken = default)
    {
        var trimmed = slug?.Trim() ?? string.Empty;
        if (!OrganizationRules.IsValidSlug(trimmed))
        {
            return OrganizationResult.Invalid($"The organization slug must be {OrganizationRules.SlugRule}.");
        }

        // The shared name rule: the display name reaches invitees' screens, so bidi overrides, zero-width and
        // stacked combining characters (which could impersonate another organization) are refused, not cleaned.
        var nameCheck = DisplayNameRule.Check(name, Organization.NameMaxLength);
        if (!nameCheck.IsValid)
        {
            return OrganizationResult.Invalid($"The organization name {nameCheck.Problem}.") with { Field = "Name" };
        }

        var displayName = nameCheck.Value.Length == 0 ? trimmed : nameCheck.Value;

        if (await db.Organizations.AnyAsync(o => o.Slug == trimmed, cancellationToken))
        {
            return OrganizationResult.Invalid($"An organization \"{trimmed}\" already exists; choose another slug.");
        }

        var organization = new Organization { Id = Guid.NewGuid(), Slug = trimmed, Name = displayName, CreatedAt = time.GetUtcNow() };
        db.Organizations.Add(organization);
        db.Memberships.Add(new Membership
        {
            OrganizationId = organization.Id,
            UserId = ownerUserId,
            Role = OrganizationRole.Owner,
            CreatedAt = organization.CreatedAt,
            AcceptedAt = organization.CreatedAt,
        });
        if (!await db.TrySaveAsync(cancellationToken))
        {
            return OrganizationResult.Invalid($"An organization \"{trimmed}\" already exists; choose another slug.");
        }

        OrganizationLog.OrganizationCreated(logger, trimmed, ownerUserId);
        return OrganizationResult.Done($"Organization \"{trimmed}\" created.");
    }

    /// <summary>The organizations <paramref name="userId"/> belongs to (accepted memberships), alphabetical by slug.</summary>
    public async Task<IReadOnlyList<OrganizationSummary>> ListForUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        var rows = await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == userId && m.AcceptedAt != null)
            .Select(m => new { m.Organization!.Slug, m.Organization.Name, m.Role, Projects = m.Organization.Projects.Select(p => p.Slug).ToList() })
            .ToListAsync(cancellationToken);
        return rows
            .OrderBy(r => r.Slug, StringComparer.Ordinal)
            .Select(r => new OrganizationSummary(r.Slug, r.Name, r.Role, r.Projects.Order(StringComparer.Ordinal).ToList()))
            .ToList();
    }

    /// <summary>The role of <paramref name="userId"/> in the organization, or <see langword="null"/> when not a member or missing.</summary>
    public Task<OrganizationRole?> GetRoleAsync(string organizationSlug, string userId, CancellationToken cancellationToken = default) =>
        db.AcceptedMemberships()
            .Where(m => m.Organization!.Slug == organizationSlug && m.UserId == userId)
            .Select(m => (OrganizationRole?)m.Role)
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>The user id of the account with this e-mail address (Identity's normalised form), or <see langword="null"/>.</summary>
    public Task<string?> FindUserIdByEmailAsync(string? email, CancellationToken cancellationToken = default) =>
        db.FindUserIdByEmailAsync(email, cancellationToken);

    /// <summary>The token policies that restrict something, of the organizations <paramref name="userId"/> is an accepted member of, by slug.</summary>
    public async Task<IReadOnlyList<OrganizationTokenPolicy>> RestrictingTokenPoliciesAsync(string userId, CancellationToken cancellationToken = default) =>
        await db.Organizations.AsNoTracking()
            .Where(o => o.Memberships.Any(m => m.UserId == userId && m.AcceptedAt != null) && (o.MaxTokenLifetimeDays != null || !o.AllowFullAccessTokens))
            .OrderBy(o => o.Slug)
            .Select(o => new OrganizationTokenPolicy(o.Slug, o.MaxTokenLifetimeDays, o.AllowFullAccessTokens))
            .ToListAsync(cancellationToken);

    /// <summary>The token policy of <paramref name="slug"/> as its member <paramref name="userId"/> sees it, or <see langword="null"/>.</summary>
    public Task<OrganizationTokenPolicy?> TokenPolicyAsync(string slug, string userId, CancellationToken cancellationToken = default) =>
        db.Organizations.AsNoTracking()
            .Where(o => o.Slug == slug && o.Memberships.Any(m => m.UserId == userId && m.AcceptedAt != null))
            .Select(o => new OrganizationTokenPolicy(o.Slug, o.MaxTokenLifetimeDays, o.AllowFullAccessTokens))
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>
    /// Sets the token policy of <paramref name="slug"/> (owners only; anyone else gets the page's 404): the longest
    /// token lifetime in days (blank: no cap; else 1 to <see cref="OrganizationTokenPolicy.MaxDays"/>) and whether
    /// full-access tokens may reach its projects. Applies from the next request of every token, on every host.
    /// </summary>
    public async Task<OrganizationResult> SetTokenPolicyAsync(
        string slug, string actingUserId, string? maxLifetimeDays, bool allowFullAccess, CancellationToken cancellationToken = default)
    {
        var organization = await db.Organizations
            .Where(o => o.Slug == slug && o.Memberships.Any(m => m.UserId == actingUserId && m.AcceptedAt != null && m.Role == OrganizationRole.Owner))
            .FirstOrDefaultAsync(cancellationToken);
        if (organization is null)
        {
            return OrganizationResult.NotFound(slug);
        }

        int? days = null;
        var text = maxLifetimeDays?.Trim();
        if (!string.IsNullOrEmpty(text))
        {
            if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
                || parsed is < 1 or > OrganizationTokenPolicy.MaxDays)
            {
                return OrganizationResult.Invalid(
                    $"The longest token lifetime must be a whole number of days from 1 to {OrganizationTokenPolicy.MaxDays}, or blank for no limit.")
                    with { Field = "MaxTokenLifetimeDays" };
            }

            days = parsed;
        }

        organization.MaxTokenLifetimeDays = days;
        organization.AllowFullAccessTokens = allowFullAccess;
        await db.SaveChangesAsync(cancellationToken);
        var described = new OrganizationTokenPolicy(organization.Slug, days, allowFullAccess).Describe();
        OrganizationLog.TokenPolicySet(logger, organization.Slug, actingUserId, described);
        return OrganizationResult.Done($"Token policy of {organization.Slug}: {described}. It applies from every token's next request.");
    }
}
