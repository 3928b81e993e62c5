namespace PfnStudio.Tokens.Authentication;

/// <summary>Names and values of the personal access token bearer scheme.</summary>
internal static class PersonalAccessTokenDefaults
{
    /// <summary>The authentication scheme name.</summary>
    public const string AuthenticationScheme = "PersonalAccessToken";

    /// <summary>
    /// The authorization policy of routes that need a valid token and no permission (<c>/api/v1/me</c>): this
    /// scheme only, so an API route never falls back to the cookie and never redirects to a sign-in page.
    /// </summary>
    public const string AuthorizationPolicy = "PersonalAccessToken";

    /// <summary>The <see cref="Microsoft.AspNetCore.Authentication.AuthenticationProperties"/> item naming the permission a 403 is for.</summary>
    public const string NeededScopeItem = "pfnstudio:needed_scope";

    /// <summary>The policy of routes that need <paramref name="permission"/> (<c>PersonalAccessToken:push</c>).</summary>
    public static string PolicyFor(string permission) => $"{AuthorizationPolicy}:{permission}";

    /// <summary>The realm in every challenge (RFC 6750 §3).</summary>
    public const string Realm = "pfnstudio";

    /// <summary>Response header carrying the token's expiry (ISO 8601 UTC); absent for never-expiring tokens.</summary>
    public const string ExpiresHeader = "PfnStudio-Token-Expires";

    /// <summary>
    /// A <c>WWW-Authenticate</c> value (RFC 6750 §3): <c>Bearer realm="…"</c>, with <c>error</c> and
    /// <c>error_description</c> when <paramref name="error"/> is given (double quotes in the description become
    /// single ones, so the quoted-string stays whole), and <c>scope</c> when <paramref name="scope"/> is given.
    /// </summary>
    public static string Challenge(string realm, string? error, string? description = null, string? scope = null) =>
        error is null
            ? $"Bearer realm=\"{realm}\""
            : $"Bearer realm=\"{realm}\", error=\"{error}\", error_description=\"{description?.Replace("\"", "'", StringComparison.Ordinal)}\""
                + (scope is null ? string.Empty : $", scope=\"{scope}\"");
}

/// <summary>Claim types the scheme puts on an authenticated principal, beside the user's id and name.</summary>
internal static class PersonalAccessTokenClaimTypes
{
    /// <summary>The token's id (a GUID).</summary>
    public const string TokenId = "pfnstudio:token_id";

    /// <summary>The token's 12-character prefix.</summary>
    public const string TokenPrefix = "pfnstudio:token_prefix";

    /// <summary>The token's name.</summary>
    public const string TokenName = "pfnstudio:token_name";

    /// <summary>One granted scope per claim.</summary>
    public const string Scope = "scope";
}
