using Microsoft.AspNetCore.Identity;

namespace PfnStudio.Tokens.Data;

/// <summary>A browser account (ASP.NET Core Identity). The user name is the e-mail address.</summary>
internal sealed class ApplicationUser : IdentityUser
{
    /// <summary>The user's personal access tokens, active and ended.</summary>
    public ICollection<PersonalAccessToken> PersonalAccessTokens { get; } = [];
}
