using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using PfnStudio.Tokens.PersonalAccessTokens;

namespace PfnStudio.Tokens.Authentication;

/// <summary>
/// The permission a route needs (DESIGN.md "Scopes and resource owners"): one authorization policy per
/// permission, named by <see cref="PersonalAccessTokenDefaults.PolicyFor"/>, each this requirement on a token
/// authenticated by the bearer scheme. A token's <c>pat</c> scope (full access) grants every permission.
/// </summary>
/// <param name="Permission">One of <see cref="PersonalAccessTokenScopes.Permissions"/>.</param>
internal sealed record PermissionRequirement(string Permission) : IAuthorizationRequirement;

/// <summary>Succeeds <see cref="PermissionRequirement"/> when the principal's <c>scope</c> claims grant it.</summary>
internal sealed class PermissionAuthorizationHandler : AuthorizationHandler<PermissionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        // Runs on every request of every product route: the framework's own pass over the claims, no list, no LINQ.
        if (context.User.HasClaim(c => c.Type == PersonalAccessTokenClaimTypes.Scope && PersonalAccessTokenScopes.Grants(c.Value, requirement.Permission)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Turns a missing permission into the bearer scheme's 403 that names it (RFC 6750 §3: <c>error="insufficient_scope"</c>,
/// <c>scope="push"</c>): the scheme is forbidden with the needed permission in the properties'
/// <see cref="PersonalAccessTokenDefaults.NeededScopeItem"/>. Every other outcome is the framework's.
/// </summary>
internal sealed class InsufficientScopeResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _framework = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden
            && authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<PermissionRequirement>().FirstOrDefault() is { } missing)
        {
            var properties = new AuthenticationProperties();
            properties.Items[PersonalAccessTokenDefaults.NeededScopeItem] = missing.Permission;
            return context.ForbidAsync(PersonalAccessTokenDefaults.AuthenticationScheme, properties);
        }

        return _framework.HandleAsync(next, context, policy, authorizeResult);
    }
}
