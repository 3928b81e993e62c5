using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Authentication;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.PersonalAccessTokens;

namespace PfnStudio.Tokens.Projects;

/// <summary>Finds the project a request names, as seen by the token's owner.</summary>
internal static class ProjectAccess
{
    /// <summary>The token that authenticated the request (the PAT scheme sets it on success).</summary>
    public static AuthenticatedToken Token(this HttpContext context) =>
        context.Features.GetRequiredFeature<IPersonalAccessTokenFeature>().Token;

    /// <summary>
    /// The project <paramref name="slug"/> as the request's token may use it. Its id, when the token's owner is an
    /// accepted member of its organization <em>now</em> (read on every request: a removal or a pending invitation
    /// grants nothing) and the token reaches it (full access, or a fine-grained token for that organization and
    /// that project or all of them). Otherwise a refusal: <c>404</c> when the owner could not see the project (as
    /// for a missing one: a token must not learn which slugs exist), <c>403 insufficient_scope</c> when the owner
    /// could but the token is limited to other projects.
    /// </summary>
    public static async Task<ProjectResolution> ResolveProjectAsync(
        this HttpContext context, TokensDbContext db, string slug, CancellationToken cancellationToken)
    {
        var token = context.Token();
        if (slug.Length > Project.SlugMaxLength)
        {
            return new ProjectResolution(Guid.Empty, ProjectNotFound(slug));
        }

        var userId = token.UserId;
        var project = await db.Projects.AsNoTracking()
            .Where(p => p.Slug == slug && p.Organization!.Memberships.Any(m => m.UserId == userId && m.AcceptedAt != null))
            .Select(p => new
            {
                p.Id,
                p.OrganizationId,
                Policy = new Organizations.OrganizationTokenPolicy(p.Organization!.Slug, p.Organization.MaxTokenLifetimeDays, p.Organization.AllowFullAccessTokens),
            })
            .FirstOrDefaultAsync(cancellationToken);
        if (project is null)
        {
            return new ProjectResolution(Guid.Empty, ProjectNotFound(slug));
        }

        if (!token.Reaches(project.OrganizationId, project.Id))
        {
            var reach = token.Access;
            var detail = reach.ProjectIds.Count == 0
                ? $"This token is limited to the projects of \"{reach.OrganizationSlug}\"; \"{slug}\" is not one of them."
                : $"This token is limited to other projects ({reach.OrganizationSlug} / {string.Join(", ", reach.ProjectSlugs)}); \"{slug}\" is not one of them.";
            return new ProjectResolution(Guid.Empty, Forbidden(context, "Insufficient scope", detail));
        }

        // The organization's token policy, read in the same statement: a change applies from the next request.
        if (project.Policy.Violation(token.Access.IsFullAccess, token.CreatedAt, token.ExpiresAt) is { } violation)
        {
            return new ProjectResolution(Guid.Empty, Forbidden(context, "Token policy", violation));
        }

        return new ProjectResolution(project.Id, null);
    }

    // 403 with the scheme's own realm and quoting, as in its other challenges (RFC 6750 §3.1 insufficient_scope).
    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Forbidden(HttpContext context, string title, string detail)
    {
        var realm = context.RequestServices.GetRequiredService<IOptionsMonitor<PersonalAccessTokenOptions>>()
            .Get(PersonalAccessTokenDefaults.AuthenticationScheme).Realm;
        context.Response.Headers.WWWAuthenticate = PersonalAccessTokenDefaults.Challenge(realm, "insufficient_scope", detail);
        return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: title, detail: detail);
    }

    /// <summary>The one 404 for a missing project and a project the caller may not see.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult ProjectNotFound(string slug) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "Project not found",
            detail: $"No project \"{slug}\" is visible to this token's owner.");
}

/// <summary>The outcome of <see cref="ProjectAccess.ResolveProjectAsync"/>.</summary>
/// <param name="Id">The project's id when <paramref name="Refusal"/> is <see langword="null"/>.</param>
/// <param name="Refusal">The 404 or 403 to answer instead.</param>
internal readonly record struct ProjectResolution(
    Guid Id, Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Refusal);
