using Microsoft.AspNetCore.Identity;

namespace PfnStudio.Tokens.Data;

/// <summary>A browser account (ASP.NET Core Identity). The user name is the e-mail address.</summary>
internal sealed class ApplicationUser : IdentityUser
{
    /// <summary>What is shown where a deleted account's e-mail address would be.</summary>
    public const string DeletedUserName = "deleted user";

    /// <summary>The user's personal access tokens, active and ended.</summary>
    public ICollection<PersonalAccessToken> PersonalAccessTokens { get; } = [];

    /// <summary>
    /// When an operator disabled the account (UTC), or <see langword="null"/> while it is enabled. A disabled
    /// account cannot sign in, its sessions are refused, and its tokens answer 401 on their next request on every
    /// host (the hot path reads this column with the token's row); its tokens are not revoked, so enabling it
    /// makes them work again.
    /// </summary>
    public DateTimeOffset? DisabledAt { get; set; }

    /// <summary>
    /// When the account was deleted (UTC), or <see langword="null"/>. A deleted account's row stays, anonymised
    /// (no e-mail, password or second factor), so its audit rows, runs and revoked tokens keep their owner; it is
    /// shown as <see cref="DeletedUserName"/>.
    /// </summary>
    public DateTimeOffset? DeletedAt { get; set; }
}
