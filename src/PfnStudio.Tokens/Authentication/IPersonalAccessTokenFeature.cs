using PfnStudio.Tokens.PersonalAccessTokens;


namespace PfnStudio.Tokens.Authentication;

/// <summary>The token that authenticated the current request, set by the bearer scheme on success.</summary>
internal interface IPersonalAccessTokenFeature
{
    /// <summary>The token and its owner (never the plaintext).</summary>
    AuthenticatedToken Token { get; }
}

internal sealed record PersonalAccessTokenFeature(AuthenticatedToken Token) : IPersonalAccessTokenFeature;
