using PfnStudio.Tokens.Authentication;
using PfnStudio.Tokens.Projects.Artifacts;
using PfnStudio.Tokens.Projects.Runs;

namespace PfnStudio.Tokens.Projects;

/// <summary>Maps the project API: priors, model specs and runs, all on the personal access token policy.</summary>
internal static class ProjectApiExtensions
{
    /// <summary>
    /// Maps <c>/api/v1/projects</c> and <c>/api/v1/projects/{project}/priors|models|runs</c> (Predict maps its own route, beside its feature).
    /// A project in an organization the token's owner does not belong to answers 404, like a missing one.
    /// </summary>
    public static IEndpointRouteBuilder MapProjectApi(this IEndpointRouteBuilder routes)
    {
        var projects = routes.MapGroup("/api/v1/projects/{project}")
            .RequireAuthorization(PersonalAccessTokenDefaults.AuthorizationPolicy)
            .WithTags("Projects");
        projects.MapPriorsApi();
        projects.MapModelsApi();
        projects.MapRunsApi();
        routes.MapProjectsListApi();
        return routes;
    }
}
