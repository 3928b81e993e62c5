using System.Globalization;
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
    /// Bounds priors and models work per user like Predict's (a push reads up to a megabyte and parses it): at most
    /// <c>Artifacts:MaxConcurrentPerUser</c> calls to those routes at once per user (default 2, 1–64).
    /// </summary>
    /// <exception cref="InvalidOperationException">The setting is out of range.</exception>
    public static WebApplicationBuilder AddProjectApiLimits(this WebApplicationBuilder builder) =>
        builder.AddPerUserConcurrencyLimit(
            ArtifactsPolicy,
            "Artifacts:MaxConcurrentPerUser",
            "Too many calls at once",
            perUser => string.Create(CultureInfo.InvariantCulture, $"At most {perUser} priors and models calls per user run at once; retry when one has finished."));

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
