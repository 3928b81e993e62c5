namespace PfnStudio.Tokens.PersonalAccessTokens;

/// <summary>The scopes a personal access token can carry.</summary>
internal static class PersonalAccessTokenScopes
{
    /// <summary>Acts as the owner on every API route the owner may use. The only scope issued today.</summary>
    public const string Pat = "pat";
}
