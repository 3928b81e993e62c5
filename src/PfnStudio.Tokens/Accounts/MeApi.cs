using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using PfnStudio.Tokens.Authentication;

namespace PfnStudio.Tokens.Accounts;

/// <summary><c>GET /api/v1/me</c>: who the presented token acts as, and which token it is.</summary>
internal static class MeApi
{
    /// <summary>Maps the route on the personal access token policy.</summary>
    public static IEndpointRouteBuilder MapMeApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/me", GetMe)
            .RequireAuthorization(PersonalAccessTokenDefaults.AuthorizationPolicy)
            .WithTags("Account")
            .WithName("GetMe")
            .WithSummary("The user and token behind the presented bearer token, with what the token may reach; answers for every valid token, whatever its permissions.");
        return routes;
    }

    private static Ok<MeResponse> GetMe(HttpContext context)
    {
        var token = context.Features.GetRequiredFeature<IPersonalAccessTokenFeature>().Token;
        return TypedResults.Ok(new MeResponse
        {
            User = new MeUser { Id = token.UserId, Email = token.UserName },
            Token = new MeToken
            {
                Name = token.Name,
                Prefix = token.Prefix,
                Scopes = token.Scopes,
                Access = token.OrganizationId is null ? "full" : "fine-grained",
                Organization = token.OrganizationSlug,
                Projects = token.OrganizationId is null || token.ProjectIds is not { Count: > 0 } ? null : token.ProjectSlugs,
                CreatedAt = token.CreatedAt,
                ExpiresAt = token.ExpiresAt,
            },
        });
    }
}

/// <summary>The body of <c>GET /api/v1/me</c>.</summary>
internal sealed class MeResponse
{
    /// <summary>The token's owner.</summary>
    public required MeUser User { get; init; }

    /// <summary>The token used for this request.</summary>
    public required MeToken Token { get; init; }
}

/// <summary>A user as the API shows it.</summary>
internal sealed class MeUser
{
    /// <summary>The user id.</summary>
    public required string Id { get; init; }

    /// <summary>The e-mail address.</summary>
    public required string? Email { get; init; }
}

/// <summary>A token as the API shows it: never its hash or plaintext.</summary>
internal sealed class MeToken
{
    /// <summary>The owner's name for it.</summary>
    public required string Name { get; init; }

    /// <summary>The 12-character prefix (without <c>pfnstudio_pat_</c>).</summary>
    public required string Prefix { get; init; }

    /// <summary>Granted scopes: <c>["pat"]</c> for full access, else the permissions (<c>read</c>, <c>push</c>, <c>predict</c>).</summary>
    public required IReadOnlyList<string> Scopes { get; init; }

    /// <summary><c>full</c> (every organization the owner is an accepted member of) or <c>fine-grained</c>.</summary>
    public required string Access { get; init; }

    /// <summary>A fine-grained token's organization (resource owner) slug; null for full access.</summary>
    public required string? Organization { get; init; }

    /// <summary>The project slugs a fine-grained token is limited to; null for all projects (or full access).</summary>
    public required IReadOnlyList<string>? Projects { get; init; }

    /// <summary>Issue instant (UTC, ISO 8601).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Expiry instant (UTC, ISO 8601), or null for never.</summary>
    public required DateTimeOffset? ExpiresAt { get; init; }
}
