using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using PfnStudio.Tokens.PersonalAccessTokens;

namespace PfnStudio.Tokens.Authentication;

/// <summary>Registers the personal access token bearer scheme and its authorization policy.</summary>
internal static class PersonalAccessTokenExtensions
{
    /// <summary>Adds the scheme under <see cref="PersonalAccessTokenDefaults.AuthenticationScheme"/>.</summary>
    public static AuthenticationBuilder AddPersonalAccessToken(this AuthenticationBuilder builder) =>
        builder.AddScheme<PersonalAccessTokenOptions, PersonalAccessTokenHandler>(
            PersonalAccessTokenDefaults.AuthenticationScheme, "Personal access token", _ => { });

    /// <summary>
    /// Adds <see cref="PersonalAccessTokenDefaults.AuthorizationPolicy"/> (a valid token from this scheme) and one
    /// policy per permission (<see cref="PersonalAccessTokenDefaults.PolicyFor"/>: the same, plus the permission),
    /// with the handler that grants them and the result handler whose 403 names what is missing.
    /// </summary>
    public static AuthorizationBuilder AddPersonalAccessTokenPolicy(this AuthorizationBuilder builder)
    {
        builder.Services.AddSingleton<IAuthorizationHandler, PermissionAuthorizationHandler>();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, InsufficientScopeResultHandler>();
        builder.AddPolicy(PersonalAccessTokenDefaults.AuthorizationPolicy, policy => policy
            .AddAuthenticationSchemes(PersonalAccessTokenDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser());
        foreach (var permission in PersonalAccessTokenScopes.Permissions)
        {
            builder.AddPolicy(PersonalAccessTokenDefaults.PolicyFor(permission), policy => policy
                .AddAuthenticationSchemes(PersonalAccessTokenDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .AddRequirements(new PermissionRequirement(permission)));
        }

        return builder;
    }
}
