using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Accounts;

/// <summary>
/// Sudo mode: actions that would let a stolen session do lasting harm (issuing a token) need the password
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

    private const string KeepItem = "pfnstudio:sudo-keep";

    /// <summary>
    /// Sudo mode's check before a guarded action: <see langword="true"/> when the session confirmed the password
    /// within <see cref="Window"/>, or when <paramref name="password"/> is right now (the session's cookie is then
    /// re-issued with a new confirmation instant). A wrong password changes nothing but Identity's failed-attempt
    /// count, as a wrong second-factor code does (a signed-in session guessing).
    /// </summary>
    public static async Task<bool> ConfirmAsync(
        HttpContext context, SignInManager<ApplicationUser> signIn, ApplicationUser user, string? password, DateTimeOffset now)
    {
        if (IsConfirmed(context.User, now))
        {
            return true;
        }

        if (string.IsNullOrEmpty(password) || !(await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true)).Succeeded)
        {
            return false;
        }

        await signIn.RefreshSignInAsync(user);
        return true;
    }

    /// <summary>The field message for a missing or wrong password in a sudo-mode form.</summary>
    /// <param name="password">What was typed.</param>
    /// <param name="action">What needs it, e.g. "turning on two-factor authentication".</param>
    public static string Refusal(string? password, string action) => string.IsNullOrEmpty(password)
        ? $"Enter your password: {action} needs it when you signed in more than 2 hours ago."
        : "That is not your password.";

    /// <summary>
    /// Re-issues the session cookie after a stamp change that confirmed nothing (turning two-factor on proves the
    /// new app, not the person): the new principal keeps the old confirmation instant instead of "now".
    /// </summary>
    public static async Task RefreshWithoutConfirmationAsync(HttpContext context, SignInManager<ApplicationUser> signIn, ApplicationUser user)
    {
        context.Items[KeepItem] = context.User.FindFirstValue(ConfirmedAtClaim) ?? string.Empty;
        try
        {
            await signIn.RefreshSignInAsync(user);
        }
        finally
        {
            context.Items.Remove(KeepItem);
        }
    }

    /// <summary>
    /// The confirmation instant a principal built now gets: the kept one during <see cref="RefreshWithoutConfirmationAsync"/>
    /// (none when there was none), else now.
    /// </summary>
    internal static string? ConfirmationFor(HttpContext? context, DateTimeOffset now) =>
        context?.Items.TryGetValue(KeepItem, out var kept) == true
            ? kept as string is { Length: > 0 } value ? value : null
            : now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

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
/// two-factor, recovery code) and every <c>RefreshSignInAsync</c> after a confirmation (password, a current
/// two-factor code) builds its principal here; <see cref="SudoMode.RefreshWithoutConfirmationAsync"/> keeps the old instant.
/// </summary>
internal sealed class AccountClaimsPrincipalFactory(
    UserManager<ApplicationUser> users,
    RoleManager<IdentityRole> roles,
    IOptions<IdentityOptions> options,
    TimeProvider time,
    IHttpContextAccessor http)
    : UserClaimsPrincipalFactory<ApplicationUser, IdentityRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ApplicationUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (SudoMode.ConfirmationFor(http.HttpContext, time.GetUtcNow()) is { } confirmedAt)
        {
            identity.AddClaim(new Claim(SudoMode.ConfirmedAtClaim, confirmedAt, ClaimValueTypes.Integer64));
        }

        return identity;
    }
}
