namespace PfnStudio.Tokens.Audit;

/// <summary>The audit row's detail for each way a token gets revoked (shown to the owner under "Recent activity").</summary>
internal static class RevocationDetails
{
    /// <summary>The owner revoked it on the tokens page.</summary>
    public const string OnThePage = "revoked on the page";

    /// <summary>An operator revoked it with <c>tokens revoke</c>.</summary>
    public const string ByOperatorCommandLine = "revoked by the operator command line";

    /// <summary>An operator revoked every token of the user with <c>tokens revoke-all</c>.</summary>
    public const string AllByOperatorCommandLine = "revoked with all of its owner's tokens by the operator command line";

    /// <summary>Revoked because a leaked-token report presented it (the URL is in the "Reported leaked" row beside it).</summary>
    public const string ReportedLeaked = "revoked: found in public and reported by a secret scanner";

    /// <summary>Revoked because its owner's account was deleted.</summary>
    public const string AccountDeleted = "revoked by deletion of its owner's account";

    /// <summary>Revoked because its owner was removed from the organization <paramref name="organizationSlug"/>.</summary>
    public static string RemovedFromOrganization(string organizationSlug) =>
        $"revoked by removal from organization {organizationSlug}";

    /// <summary>Revoked by an owner or admin of the organization <paramref name="organizationSlug"/> on its members page.</summary>
    public static string ByOrganization(string organizationSlug) =>
        $"revoked by an administrator of organization {organizationSlug}";

    /// <summary>Revoked because its owner regenerated it on the page; <paramref name="successorPrefix"/> is the new token's.</summary>
    public static string RegeneratedOnThePage(string successorPrefix) =>
        $"revoked by regeneration on the page, replaced by {PersonalAccessTokens.PersonalAccessTokenFormat.Display(successorPrefix)}";

    /// <summary>Revoked because it rotated itself through the API; <paramref name="successorPrefix"/> is the new token's.</summary>
    public static string RotatedThroughApi(string successorPrefix) =>
        $"revoked by its own rotation through the API, replaced by {PersonalAccessTokens.PersonalAccessTokenFormat.Display(successorPrefix)}";

    /// <summary>Revoked through <c>DELETE /api/v1/tokens/{id}</c> with the token of prefix <paramref name="callerPrefix"/>.</summary>
    public static string ThroughApi(string callerPrefix) =>
        $"revoked through the API with {PersonalAccessTokens.PersonalAccessTokenFormat.Display(callerPrefix)}";
}
