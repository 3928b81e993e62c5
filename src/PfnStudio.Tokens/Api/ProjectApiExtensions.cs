using PfnStudio.Tokens.Authentication;

namespace PfnStudio.Tokens.Api;

/// <summary>Maps the project API: priors, model specs, runs and Predict, all on the personal access token policy.</summary>
public static class ProjectApiExtensions
{
    /// <summary>
    /// Maps <c>/api/v1/projects</c>, <c>/api/v1/projects/{project}/priors|models|runs</c> and <c>/projects/{project}/runs/v0_1/predict</c>.
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
        routes.MapPredictApi();
        return routes;
    }
}
