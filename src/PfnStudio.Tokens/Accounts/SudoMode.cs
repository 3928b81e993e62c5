using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Accounts;

/// <summary>
/// Sudo mode: actions that would let a stolen session do lasting harm (issuing or regenerating a token) need the password
/// confirmed within the last <see cref="Window"/>; signing in counts. The instant is a claim of the session's
/// principal, written when a principal is built for a sign-in or a confirmation, and carried over when the
/// security stamp check rebuilds the principal on every request.
/// </summary>
internal static class SudoMode
{
    /// <summary>The claim: when the password was last confirmed, in Unix seconds (UTC).</summary>
    public const string ConfirmedAtClaim = "pfnstudio:password_confirmed_at";

    /// <summary>How long a sign-in or confirmation counts.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(2);

    /// <summary>Whether <paramref name="user"/> confirmed the password within <see cref="Window"/> of <paramref name="now"/>.</summary>
    public static bool IsConfirmed(ClaimsPrincipal user, DateTimeOffset now) =>
        user.FindFirstValue(ConfirmedAtClaim) is { } value
        && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
        && now - DateTimeOffset.FromUnixTimeSeconds(seconds) < Window;

    /// <summary>The stamp check's rebuilt principal keeps the confirmation instant of the one it replaces.</summary>
    public static Task KeepConfirmation(SecurityStampRefreshingPrincipalContext context)
    {
        if (context.NewPrincipal?.Identity is ClaimsIdentity identity)
        {
            foreach (var old in identity.FindAll(ConfirmedAtClaim).ToList())
            {
                identity.RemoveClaim(old);
            }

            if (context.CurrentPrincipal?.FindFirst(ConfirmedAtClaim) is { } kept)
            {
                identity.AddClaim(new Claim(ConfirmedAtClaim, kept.Value, ClaimValueTypes.Integer64));
            }
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Identity's principal factory plus <see cref="SudoMode.ConfirmedAtClaim"/> = now: every sign-in (password,
/// two-factor, recovery code) and every <c>RefreshSignInAsync</c> after a confirmation builds its principal here.
/// </summary>
internal sealed class AccountClaimsPrincipalFactory(
    UserManager<ApplicationUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options, TimeProvider time)
    : UserClaimsPrincipalFactory<ApplicationUser, IdentityRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ApplicationUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(
            SudoMode.ConfirmedAtClaim,
            time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ClaimValueTypes.Integer64));
        return identity;
    }
}
