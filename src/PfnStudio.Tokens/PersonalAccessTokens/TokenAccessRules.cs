using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.PersonalAccessTokens;

/// <summary>
/// The access rules every minting path shares — issue on the page or by the operator, regenerate on the page,
/// rotate through the API — so a token can never mint more than it has: each path asks for the same or narrower
/// access and this class checks it against the owner's current memberships and projects.
/// </summary>
internal sealed class TokenAccessRules(TokensDbContext db)
{
    /// <summary>Most projects one fine-grained token may name.</summary>
    public const int MaxProjectsPerToken = 100;

    /// <summary>
    /// The organization's token policy for a fine-grained token of <paramref name="organizationId"/> expiring in
    /// <paramref name="days"/> days (<see langword="null"/>: never): when the policy caps lifetimes and the token would
    /// live longer, the expiry field gets a message naming the policy. Full-access tokens are not refused here (they
    /// reach other organizations too): each organization's routes refuse them by its own policy.
    /// </summary>
    public async Task CheckLifetimeAsync(Guid? organizationId, int? days, Dictionary<string, string> errors, CancellationToken cancellationToken)
    {
        if (organizationId is not { } id || errors.ContainsKey(IssueTokenResult.ExpiresInDaysField))
        {
            return;
        }

        var policy = await db.Organizations.AsNoTracking().Where(o => o.Id == id)
            .Select(o => new { o.Slug, o.MaxTokenLifetimeDays })
            .FirstOrDefaultAsync(cancellationToken);
        if (policy?.MaxTokenLifetimeDays is { } max && (days is null || days > max))
        {
            errors[IssueTokenResult.ExpiresInDaysField] =
                $"The organization \"{policy.Slug}\" allows tokens that live at most {max} {(max == 1 ? "day" : "days")} (its token policy): choose {max} or fewer.";
        }
    }

    /// <summary>
    /// The access <paramref name="access"/> asks for, checked against the store now: full access, or one organization
    /// where <paramref name="userId"/> is an accepted member, all or some (at most <see cref="MaxProjectsPerToken"/>,
    /// each of that organization) of its projects, and a non-empty set of <see cref="PersonalAccessTokenScopes.Permissions"/>.
    /// </summary>
    /// <param name="userId">The owner-to-be.</param>
    /// <param name="access">What the form, the operator or an existing token asks for.</param>
    /// <param name="errors">Receives one message per wrong field, keyed by the <c>IssueTokenResult.…Field</c> names.</param>
    /// <param name="cancellationToken">Cancels the store reads.</param>
    /// <returns>The access to store, or <see langword="null"/> when any part is wrong (the reason is in <paramref name="errors"/>).</returns>
    public async Task<TokenAccess?> ValidateAsync(
        string userId, TokenAccessRequest access, Dictionary<string, string> errors, CancellationToken cancellationToken)
    {
        var kind = access.Access?.Trim();
        var projects = (access.Projects ?? []).Select(p => p?.Trim() ?? string.Empty).Where(p => p.Length > 0).ToList();
        if (string.IsNullOrEmpty(kind) || kind == TokenAccessRequest.FullAccessValue)
        {
            // A forged or confused form: full access already reaches every project, so a project list with it is
            // a contradiction, not something to drop silently.
            if (projects.Count > 0)
            {
                errors[IssueTokenResult.ProjectsField] =
                    "A full-access token reaches every project. To limit the token to projects, choose Fine-grained.";
                return null;
            }

            return TokenAccess.Full;
        }

        if (kind != TokenAccessRequest.FineGrainedValue)
        {
            errors[IssueTokenResult.AccessField] = "Choose Full access or Fine-grained.";
            return null;
        }

        var ok = true;
        var permissions = new List<string>();
        foreach (var raw in access.Permissions ?? [])
        {
            // The operator command line passes "read,push" as one value; the page one value per checkbox.
            foreach (var part in (raw ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!PersonalAccessTokenScopes.Permissions.Contains(part))
                {
                    errors[IssueTokenResult.PermissionsField] =
                        $"\"{Shorten(part)}\" is not a permission. Choose from {string.Join(", ", PersonalAccessTokenScopes.Permissions)}.";
                    ok = false;
                }
                else if (!permissions.Contains(part))
                {
                    permissions.Add(part);
                }
            }
        }

        if (ok && permissions.Count == 0)
        {
            errors[IssueTokenResult.PermissionsField] =
                $"Choose at least one permission: {string.Join(", ", PersonalAccessTokenScopes.Permissions)}.";
            ok = false;
        }

        var organizationSlug = access.Organization?.Trim();
        if (string.IsNullOrEmpty(organizationSlug))
        {
            errors[IssueTokenResult.OrganizationField] = "Choose the organization this token may reach.";
            return null;
        }

        var membership = organizationSlug.Length > Organization.SlugMaxLength
            ? null
            : await db.Memberships.AsNoTracking()
                .Where(m => m.UserId == userId && m.Organization!.Slug == organizationSlug)
                .Select(m => new { m.OrganizationId, m.AcceptedAt })
                .FirstOrDefaultAsync(cancellationToken);
        if (membership is null)
        {
            // A missing organization and one the user is not in read the same.
            errors[IssueTokenResult.OrganizationField] = $"You are not a member of an organization \"{Shorten(organizationSlug)}\".";
            return null;
        }

        if (membership.AcceptedAt is null)
        {
            errors[IssueTokenResult.OrganizationField] =
                $"You are invited to \"{organizationSlug}\" but have not accepted yet; accept the invitation on the Organizations page first.";
            return null;
        }

        var scope = access.ProjectScope?.Trim();
        if (string.IsNullOrEmpty(scope))
        {
            scope = projects.Count > 0 ? TokenAccessRequest.ChosenProjectsValue : TokenAccessRequest.AllProjectsValue;
        }

        var projectIds = new List<Guid>();
        var projectSlugs = new List<string>();
        if (scope == TokenAccessRequest.AllProjectsValue)
        {
            if (projects.Count > 0)
            {
                errors[IssueTokenResult.ProjectsField] = "Choose All projects or pick projects, not both.";
                return null;
            }
        }
        else if (scope == TokenAccessRequest.ChosenProjectsValue)
        {
            if (projects.Count == 0)
            {
                errors[IssueTokenResult.ProjectsField] = "Choose at least one project, or All projects.";
                return null;
            }

            if (projects.Count > MaxProjectsPerToken)
            {
                errors[IssueTokenResult.ProjectsField] = $"A token may name at most {MaxProjectsPerToken} projects; choose All projects instead.";
                return null;
            }

            if (projects.GroupBy(p => p, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                errors[IssueTokenResult.ProjectsField] = $"Project \"{Shorten(twice.Key)}\" is listed twice.";
                return null;
            }

            var organizationId = membership.OrganizationId;
            var found = await db.Projects.AsNoTracking()
                .Where(p => p.OrganizationId == organizationId && projects.Contains(p.Slug))
                .ToDictionaryAsync(p => p.Slug, p => p.Id, StringComparer.Ordinal, cancellationToken);
            if (projects.FirstOrDefault(p => !found.ContainsKey(p)) is { } missing)
            {
                errors[IssueTokenResult.ProjectsField] = $"\"{Shorten(missing)}\" is not a project of \"{organizationSlug}\".";
                return null;
            }

            foreach (var slug in projects)
            {
                projectIds.Add(found[slug]);
                projectSlugs.Add(slug);
            }
        }
        else
        {
            errors[IssueTokenResult.ProjectsField] = "Choose All projects or Only chosen projects.";
            return null;
        }

        return ok
            ? new TokenAccess([.. PersonalAccessTokenScopes.Permissions.Where(permissions.Contains)], membership.OrganizationId, organizationSlug, projectIds, projectSlugs)
            : null;
    }

    // What a message quotes of a value as sent: enough to recognise it, never a wall of text.
    internal static string Shorten(string value) => value.Length > 64 ? value[..64] + "…" : value;
}
