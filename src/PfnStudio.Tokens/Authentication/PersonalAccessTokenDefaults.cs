namespace PfnStudio.Tokens.Authentication;

/// <summary>Names and values of the personal access token bearer scheme.</summary>
internal static class PersonalAccessTokenDefaults
{
    /// <summary>The authentication scheme name.</summary>
    public const string AuthenticationScheme = "PersonalAccessToken";

    /// <summary>The authorization policy every API route uses: this scheme and the <c>pat</c> scope.</summary>
    public const string AuthorizationPolicy = "PersonalAccessToken";

    /// <summary>The realm in every challenge (RFC 6750 §3).</summary>
    public const string Realm = "pfnstudio";

    /// <summary>Response header carrying the token's expiry (ISO 8601 UTC); absent for never-expiring tokens.</summary>
    public const string ExpiresHeader = "PfnStudio-Token-Expires";
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
