using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Authentication;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Projects;

/// <summary><c>GET /api/v1/projects</c>: the projects the token's owner can see, so a caller can find a slug.</summary>
internal static class ProjectsListApi
{
    /// <summary>Maps the route on the personal access token policy.</summary>
    public static IEndpointRouteBuilder MapProjectsListApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/projects", ListAsync)
            .RequireAuthorization(PersonalAccessTokenDefaults.PolicyFor(PersonalAccessTokens.PersonalAccessTokenScopes.Read))
            .WithTags("Projects")
            .WithName("ListProjects")
            .WithSummary("The projects this token may use: for full access, those of every organization the token's owner is an accepted member of; for a fine-grained token, its organization's (or its chosen ones); by organization and slug.");
        return routes;
    }

    /// <summary>Every visible project.</summary>
    /// <param name="context">The request.</param>
    /// <param name="db">The store.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    internal static async Task<Ok<ProjectList>> ListAsync(HttpContext context, TokensDbContext db, CancellationToken cancellationToken)
    {
        var token = context.Token();
        var userId = token.UserId;

        // The same rule as every project route (ResolveProjectAsync): accepted membership now (a pending invitation
        // grants nothing), and a fine-grained token sees only its organization's projects, or its chosen ones.
        var visible = db.Projects.AsNoTracking()
            .Where(p => p.Organization!.Memberships.Any(m => m.UserId == userId && m.AcceptedAt != null));
        if (token.OrganizationId is { } organizationId)
        {
            visible = visible.Where(p => p.OrganizationId == organizationId);
            if (token.ProjectIds is { Count: > 0 } chosen)
            {
                var ids = chosen.ToList();
                visible = visible.Where(p => ids.Contains(p.Id));
            }
        }

        // Organizations whose token policy this token breaks are left out, as their routes answer 403.
        var lifetime = Organizations.OrganizationTokenPolicy.LifetimeDays(token.CreatedAt, token.ExpiresAt);
        if (token.Access.IsFullAccess)
        {
            visible = visible.Where(p => p.Organization!.AllowFullAccessTokens);
        }

        visible = lifetime is { } days
            ? visible.Where(p => p.Organization!.MaxTokenLifetimeDays == null || p.Organization.MaxTokenLifetimeDays >= days)
            : visible.Where(p => p.Organization!.MaxTokenLifetimeDays == null);

        var rows = await visible
            .OrderBy(p => p.Organization!.Slug).ThenBy(p => p.Slug)
            .Select(p => new ProjectListItem
            {
                Slug = p.Slug,
                Organization = new ProjectOrganization { Slug = p.Organization!.Slug, Name = p.Organization.Name },
            })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new ProjectList { Items = rows });
    }
}

/// <summary>The body of <c>GET /api/v1/projects</c>.</summary>
internal sealed class ProjectList
{
    /// <summary>Projects, ordered by organization slug, then project slug.</summary>
    public required IReadOnlyList<ProjectListItem> Items { get; init; }
}

/// <summary>A project as the list shows it.</summary>
internal sealed class ProjectListItem
{
    /// <summary>The project's slug, as in <c>/api/v1/projects/{project}/…</c>.</summary>
    public required string Slug { get; init; }

    /// <summary>The organization that owns it.</summary>
    public required ProjectOrganization Organization { get; init; }
}

/// <summary>An organization as the project list shows it.</summary>
internal sealed class ProjectOrganization
{
    /// <summary>URL-safe name.</summary>
    public required string Slug { get; init; }

    /// <summary>Display name.</summary>
    public required string Name { get; init; }
}
