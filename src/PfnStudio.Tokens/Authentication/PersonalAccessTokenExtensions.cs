using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using PfnStudio.Tokens.PersonalAccessTokens;

namespace PfnStudio.Tokens.Authentication;

/// <summary>Registers the personal access token bearer scheme and its authorization policy.</summary>
internal static class PersonalAccessTokenExtensions
{
    /// <summary>Adds the scheme under <see cref="PersonalAccessTokenDefaults.AuthenticationScheme"/>.</summary>
    public static AuthenticationBuilder AddPersonalAccessToken(this AuthenticationBuilder builder) =>
        builder.AddPersonalAccessToken(PersonalAccessTokenDefaults.AuthenticationScheme, _ => { });

    /// <summary>Adds the scheme under <see cref="PersonalAccessTokenDefaults.AuthenticationScheme"/>, configured.</summary>
    public static AuthenticationBuilder AddPersonalAccessToken(
        this AuthenticationBuilder builder, Action<PersonalAccessTokenOptions> configure) =>
        builder.AddPersonalAccessToken(PersonalAccessTokenDefaults.AuthenticationScheme, configure);

    /// <summary>Adds the scheme under <paramref name="authenticationScheme"/>, configured.</summary>
    public static AuthenticationBuilder AddPersonalAccessToken(
        this AuthenticationBuilder builder, string authenticationScheme, Action<PersonalAccessTokenOptions> configure) =>
        builder.AddScheme<PersonalAccessTokenOptions, PersonalAccessTokenHandler>(
            authenticationScheme, "Personal access token", configure);

    /// <summary>
    /// Adds <see cref="PersonalAccessTokenDefaults.AuthorizationPolicy"/>: authenticated by this scheme only
    /// (so an API route never falls back to the cookie and never redirects to a sign-in page) with the
    /// <c>pat</c> scope.
    /// </summary>
    public static AuthorizationBuilder AddPersonalAccessTokenPolicy(this AuthorizationBuilder builder) =>
        builder.AddPolicy(PersonalAccessTokenDefaults.AuthorizationPolicy, policy => policy
            .AddAuthenticationSchemes(PersonalAccessTokenDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .RequireClaim(PersonalAccessTokenClaimTypes.Scope, PersonalAccessTokenScopes.Pat));
}
