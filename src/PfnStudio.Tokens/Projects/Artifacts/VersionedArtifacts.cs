using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Projects.Artifacts;

/// <summary>
/// The one versioning mechanism for priors and model specs: push-or-existing, list, and one version.
/// </summary>
internal static class VersionedArtifacts
{
    /// <summary>
    /// Maps <c>GET {segment}</c> (every version, newest first) and <c>GET {segment}/{name}/versions/{version}</c>
    /// (one version: what a push's <c>Location</c> points at) into the <c>/api/v1/projects/{project}</c> group.
    /// <paramref name="kind"/> is the singular noun ("prior", "model spec") in summaries and errors.
    /// </summary>
    public static RouteGroupBuilder MapVersionReads<T, TVersion, TList>(
        this RouteGroupBuilder projects, string segment, string kind, string operationNoun,
        Func<T, string, string?, TVersion> view, Func<List<TVersion>, TList> list)
        where T : class, IVersionedArtifact
    {
        projects.MapGet($"/{segment}", async Task<Results<Ok<TList>, ProblemHttpResult>> (
                string project, HttpContext context, TokensDbContext db, CancellationToken cancellationToken) =>
            {
                var (projectId, refused) = await context.ResolveProjectAsync(db, project, cancellationToken);
                if (refused is not null)
                {
                    return refused;
                }

                var rows = await ListAsync<T>(db, projectId, cancellationToken);
                return TypedResults.Ok(list(rows.ConvertAll(r => view(r.Artifact, project, r.PushedBy))));
            })
            .RequireAuthorization(Authentication.PersonalAccessTokenDefaults.PolicyFor(PersonalAccessTokens.PersonalAccessTokenScopes.Read))
            .WithName($"List{operationNoun}s")
            .WithSummary($"Every version of every {kind} in the project, newest first.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        projects.MapGet($"/{segment}/{{name}}/versions/{{version:int}}", async Task<Results<Ok<TVersion>, ProblemHttpResult>> (
                string project, string name, int version, HttpContext context, TokensDbContext db, CancellationToken cancellationToken) =>
            {
                var (projectId, refused) = await context.ResolveProjectAsync(db, project, cancellationToken);
                if (refused is not null)
                {
                    return refused;
                }

                return await FindAsync<T>(db, projectId, name, version, cancellationToken) is { } row
                    ? TypedResults.Ok(view(row.Artifact, project, row.PushedBy))
                    : NotFound(kind, project, name, version);
            })
            .RequireAuthorization(Authentication.PersonalAccessTokenDefaults.PolicyFor(PersonalAccessTokens.PersonalAccessTokenScopes.Read))
            .WithName($"Get{operationNoun}")
            .WithSummary($"One version of a {kind} (what a push's Location header points at).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return projects;
    }

    /// <summary>
    /// Stores <paramref name="candidate"/> as the next version of its name, or, when that name already has a
    /// version with the same SHA-256, returns that version and stores nothing.
    /// </summary>
    public static async Task<Pushed<T>> PushAsync<T>(TokensDbContext db, T candidate, string? pusherEmail, CancellationToken cancellationToken)
        where T : class, IVersionedArtifact
    {
        var set = db.Set<T>();

        // Two pushes may race for the same next version; the unique (project, name, version) index lets one
        // win and the other reads again.
        for (var attempt = 0; ; attempt++)
        {
            var existing = await set.AsNoTracking()
                .Where(a => a.ProjectId == candidate.ProjectId && a.Name == candidate.Name && a.Sha256 == candidate.Sha256)
                .OrderBy(a => a.Version)
                .FirstOrDefaultAsync(cancellationToken);
            if (existing is not null)
            {
                var pushedBy = await db.Users.Where(u => u.Id == existing.PushedByUserId).Select(u => u.DeletedAt != null ? ApplicationUser.DeletedUserName : u.Email).FirstOrDefaultAsync(cancellationToken);
                return new Pushed<T>(existing, Created: false, pushedBy);
            }

            var latest = await set.Where(a => a.ProjectId == candidate.ProjectId && a.Name == candidate.Name)
                .MaxAsync(a => (int?)a.Version, cancellationToken) ?? 0;
            candidate.Version = latest + 1;
            set.Add(candidate);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return new Pushed<T>(candidate, Created: true, pusherEmail);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>Every version of every name in the project, newest first, with the pusher's e-mail.</summary>
    private static async Task<List<(T Artifact, string? PushedBy)>> ListAsync<T>(TokensDbContext db, Guid projectId, CancellationToken cancellationToken)
        where T : class, IVersionedArtifact
    {
        var rows = await db.Set<T>().AsNoTracking()
            .Where(a => a.ProjectId == projectId)
            .OrderByDescending(a => a.PushedAt).ThenBy(a => a.Name).ThenByDescending(a => a.Version)
            .Select(a => new { Artifact = a, Email = db.Users.Where(u => u.Id == a.PushedByUserId).Select(u => u.DeletedAt != null ? ApplicationUser.DeletedUserName : u.Email).FirstOrDefault() })
            .ToListAsync(cancellationToken);
        return rows.ConvertAll(r => (r.Artifact, r.Email));
    }

    /// <summary>One version, or <see langword="null"/> when the project has no such name or version.</summary>
    private static async Task<(T Artifact, string? PushedBy)?> FindAsync<T>(
        TokensDbContext db, Guid projectId, string name, int version, CancellationToken cancellationToken)
        where T : class, IVersionedArtifact
    {
        var row = await db.Set<T>().AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.Name == name && a.Version == version)
            .Select(a => new { Artifact = a, Email = db.Users.Where(u => u.Id == a.PushedByUserId).Select(u => u.DeletedAt != null ? ApplicationUser.DeletedUserName : u.Email).FirstOrDefault() })
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : (row.Artifact, row.Email);
    }

    /// <summary>The 404 for a name or version the project does not have.</summary>
    private static ProblemHttpResult NotFound(string kind, string project, string name, int version) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "Version not found",
            detail: $"Project \"{project}\" has no {kind} \"{name}\" version {version}.");
}

/// <summary>The outcome of a push: the stored or existing version, and who pushed it.</summary>
internal sealed record Pushed<T>(T Artifact, bool Created, string? PushedBy);
