using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
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
    /// The id of project <paramref name="slug"/> when the token's owner is an accepted member of its organization (a pending invitation grants nothing), else
    /// <see langword="null"/>. Membership is checked inside the query, so a project of another organization and
    /// a missing one are indistinguishable (both 404): a token must not learn which project slugs exist.
    /// </summary>
    public static async Task<Guid?> FindVisibleProjectAsync(
        this TokensDbContext db, string slug, string userId, CancellationToken cancellationToken)
    {
        if (slug.Length > Project.SlugMaxLength)
        {
            return null;
        }

        var id = await db.Projects.AsNoTracking()
            .Where(p => p.Slug == slug && p.Organization!.Memberships.Any(m => m.UserId == userId && m.AcceptedAt != null))
            .Select(p => p.Id)
            .FirstOrDefaultAsync(cancellationToken);
        return id == Guid.Empty ? null : id;
    }

    /// <summary>The one 404 for a missing project and a project the caller may not see.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult ProjectNotFound(string slug) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "Project not found",
            detail: $"No project \"{slug}\" is visible to this token's owner.");
}
