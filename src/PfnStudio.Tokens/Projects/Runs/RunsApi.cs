using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Infrastructure;

namespace PfnStudio.Tokens.Projects.Runs;

/// <summary><c>GET /api/v1/projects/{project}/runs</c>: the project's Predict calls, newest first, paged.</summary>
internal static class RunsApi
{
    /// <summary>Page size when <c>limit</c> is absent.</summary>
    public const int DefaultLimit = 20;

    /// <summary>Largest page size.</summary>
    public const int MaxLimit = 100;

    /// <summary>Maps the route into <paramref name="projects"/> (the <c>/api/v1/projects/{project}</c> group).</summary>
    public static RouteGroupBuilder MapRunsApi(this RouteGroupBuilder projects)
    {
        projects.MapGet("/runs", ListAsync)
            .RequireAuthorization(Authentication.PersonalAccessTokenDefaults.PolicyFor(PersonalAccessTokens.PersonalAccessTokenScopes.Read))
            .WithName("ListRuns")
            .WithSummary("Runs newest first; pass the previous page's nextCursor as cursor for the next page.")
            .AddOpenApiOperationTransformer(OpenApiExtensions.IntegerQueryParameter("limit", 1, MaxLimit, DefaultLimit))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return projects;
    }

    /// <summary>One page of runs, newest first.</summary>
    /// <param name="project">The project slug.</param>
    /// <param name="limit">Page size, 1–100 (default 20).</param>
    /// <param name="cursor">The <c>nextCursor</c> of the previous page; absent for the first page.</param>
    /// <param name="context">The request.</param>
    /// <param name="db">The store.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    internal static async Task<Results<Ok<RunPage>, ValidationProblem, ProblemHttpResult>> ListAsync(
        string project, string? limit, string? cursor, HttpContext context, TokensDbContext db, CancellationToken cancellationToken)
    {
        var (projectId, refused) = await context.ResolveProjectAsync(db, project, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        // Parsed here rather than bound as int, so a bad value is a 400 that names the parameter.
        var size = DefaultLimit;
        if (limit is not null
            && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxLimit))
        {
            return ApiProblems.Invalid("limit", $"limit: must be a whole number from 1 to {MaxLimit}.");
        }

        // The cursor is the id of the last run on the previous page; ids only grow, so "older than" is "id below".
        long? before = null;
        if (cursor is not null)
        {
            if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id < 1)
            {
                return ApiProblems.Invalid("cursor", "cursor: is not a cursor from this API; pass the nextCursor of the previous page.");
            }

            before = id;
        }

        var query = db.Runs.AsNoTracking().Where(r => r.ProjectId == projectId);
        if (before is { } b)
        {
            query = query.Where(r => r.Id < b);
        }

        var rows = await query.OrderByDescending(r => r.Id).Take(size + 1).ToListAsync(cancellationToken);
        var hasMore = rows.Count > size;
        var page = rows.Take(size).Select(RunSummary.From).ToList();
        return TypedResults.Ok(new RunPage
        {
            Items = page,
            NextCursor = hasMore ? page[^1].Id.ToString(CultureInfo.InvariantCulture) : null,
        });
    }
}

/// <summary>One page of <c>GET /api/v1/projects/{project}/runs</c>.</summary>
internal sealed class RunPage
{
    /// <summary>Runs, newest first.</summary>
    public required IReadOnlyList<RunSummary> Items { get; init; }

    /// <summary>Pass as <c>cursor</c> for the next (older) page; null on the last page.</summary>
    public required string? NextCursor { get; init; }
}

/// <summary>A run as the API shows it.</summary>
internal sealed class RunSummary
{
    /// <summary>The run's id.</summary>
    public required long Id { get; init; }

    /// <summary>The model spec's name, or <c>gp</c> for the default model.</summary>
    public required string Model { get; init; }

    /// <summary>The model spec's version, or null for the default model or an unknown name.</summary>
    public required int? ModelVersion { get; init; }

    /// <summary>Context points in the request.</summary>
    public required int ContextSize { get; init; }

    /// <summary>Query points in the request.</summary>
    public required int QuerySize { get; init; }

    /// <summary><c>succeeded</c>, <c>rejected</c> (answered 400/413) or <c>failed</c> (answered 422).</summary>
    public required string Status { get; init; }

    /// <summary>Why it was rejected or failed; null when it succeeded.</summary>
    public required string? Error { get; init; }

    /// <summary>Wall time of the call in milliseconds.</summary>
    public required double DurationMs { get; init; }

    /// <summary>When the call arrived (UTC, ISO 8601).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Prefix of the token used.</summary>
    public required string TokenPrefix { get; init; }

    internal static RunSummary From(Run r) => new()
    {
        Id = r.Id,
        Model = r.ModelName,
        ModelVersion = r.ModelVersion,
        ContextSize = r.ContextSize,
        QuerySize = r.QuerySize,
        Status = r.Status,
        Error = r.Error,
        DurationMs = r.DurationMs,
        CreatedAt = r.CreatedAt,
        TokenPrefix = r.TokenPrefix,
    };
}
