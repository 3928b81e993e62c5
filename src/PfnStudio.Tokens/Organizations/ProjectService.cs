using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Organizations;

/// <summary>Projects: created by an organization's owners and admins (or the operator); slugs unique in the installation.</summary>
internal sealed class ProjectService(TokensDbContext db, TimeProvider time, ILogger<ProjectService> logger)
{
    /// <summary>Creates a project in the organization; project slugs are unique in the whole installation.</summary>
    public async Task<OrganizationResult> CreateProjectAsync(
        string organizationSlug, string? actingUserId, string? projectSlug, CancellationToken cancellationToken = default)
    {
        var (organization, _) = await db.FindManageableAsync(organizationSlug, actingUserId, cancellationToken);
        if (organization is null)
        {
            return OrganizationResult.NotFound(organizationSlug);
        }

        var slug = projectSlug?.Trim() ?? string.Empty;
        if (!OrganizationRules.IsValidSlug(slug))
        {
            return OrganizationResult.Invalid($"The project slug must be {OrganizationRules.SlugRule}.");
        }

        // Unique across organizations (API paths name the project alone), so the message cannot say whose it is.
        if (await db.Projects.AnyAsync(p => p.Slug == slug, cancellationToken))
        {
            return OrganizationResult.Invalid($"The project slug \"{slug}\" is taken; choose another.");
        }

        db.Projects.Add(new Project { Id = Guid.NewGuid(), OrganizationId = organization.Id, Slug = slug, CreatedAt = time.GetUtcNow() });
        if (!await db.TrySaveAsync(cancellationToken))
        {
            return OrganizationResult.Invalid($"The project slug \"{slug}\" is taken; choose another.");
        }

        OrganizationLog.ProjectCreated(logger, organization.Slug, slug);
        return OrganizationResult.Done($"Project \"{slug}\" created in \"{organization.Slug}\".");
    }
}
