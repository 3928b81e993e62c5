using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using PfnStudio.Tokens.Authentication;
using PfnStudio.Tokens.Infrastructure;
using PfnStudio.Tokens.Projects.Artifacts;
using PfnStudio.Tokens.Projects.Runs;

namespace PfnStudio.Tokens.Projects;

/// <summary>Maps the project API: priors, model specs and runs, all on the personal access token policy.</summary>
internal static class ProjectApiExtensions
{
    /// <summary>The rate limiter policy of the priors and models routes.</summary>
    public const string ArtifactsPolicy = "artifacts";

    /// <summary>
    /// Bounds priors and models work per user like Predict's (a push reads up to a megabyte and parses it): each user,
    /// whichever of their tokens is used, runs at most <c>Artifacts:MaxConcurrentPerUser</c> calls to those routes at
    /// once (default 2, 1–64); a further call gets 429 with <c>Retry-After</c> and a problem body. Call it after
    /// <c>AddPredictLimits</c>: the rejection answer of other policies is kept.
    /// </summary>
    /// <exception cref="InvalidOperationException">The setting is out of range.</exception>
    public static WebApplicationBuilder AddProjectApiLimits(this WebApplicationBuilder builder)
    {
        var perUser = builder.Configuration.GetValue("Artifacts:MaxConcurrentPerUser", 2);
        if (perUser is < 1 or > 64)
        {
            throw new InvalidOperationException($"Artifacts:MaxConcurrentPerUser must be between 1 and 64; it is {perUser}.");
        }

        builder.Services.AddRateLimiter(options =>
        {
            options.AddPolicy(ArtifactsPolicy, context => RateLimitPartition.GetConcurrencyLimiter(
                context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous",
                _ => new ConcurrencyLimiterOptions { PermitLimit = perUser, QueueLimit = 0 }));
            var others = options.OnRejected;
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                if (rejected.HttpContext.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName != ArtifactsPolicy)
                {
                    await (others?.Invoke(rejected, cancellationToken) ?? ValueTask.CompletedTask);
                    return;
                }

                var response = rejected.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                response.Headers.RetryAfter = "1";
                await ProblemResponses.WriteAsync(
                    rejected.HttpContext,
                    "Too many calls at once",
                    string.Create(CultureInfo.InvariantCulture, $"At most {perUser} priors and models calls per user run at once; retry when one has finished."));
            };
        });
        return builder;
    }

    /// <summary>
    /// Maps <c>/api/v1/projects</c> and <c>/api/v1/projects/{project}/priors|models|runs</c> (Predict maps its own route, beside its feature).
    /// A project in an organization the token's owner does not belong to answers 404, like a missing one.
    /// </summary>
    public static IEndpointRouteBuilder MapProjectApi(this IEndpointRouteBuilder routes)
    {
        var projects = routes.MapGroup("/api/v1/projects/{project}")
            .RequireAuthorization(PersonalAccessTokenDefaults.AuthorizationPolicy)
            .WithTags("Projects");
        var artifacts = projects.MapGroup("").RequireRateLimiting(ArtifactsPolicy);
        artifacts.MapPriorsApi();
        artifacts.MapModelsApi();
        projects.MapRunsApi();
        routes.MapProjectsListApi();
        return routes;
    }
}
