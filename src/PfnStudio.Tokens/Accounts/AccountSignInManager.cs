using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Accounts;

/// <summary>
/// Identity's <see cref="SignInManager{TUser}"/> with disabled and deleted accounts refused at its two gates:
/// <list type="bullet">
/// <item>signing in: a correct password for a disabled account answers <see cref="SignInResult.NotAllowed"/> and
/// issues no cookie (a wrong one is an ordinary failure, counted by SignInThrottle, so "disabled" is told only to
/// whoever knows the password);</item>
/// <item>every request's security stamp check (<see cref="SecurityStampValidatorOptions.ValidationInterval"/> is
/// zero): a session of a disabled or deleted account is refused even if its stamp still matched.</item>
/// </list>
/// Disabling and deleting also update the stamp, so either gate alone ends the sessions.
/// </summary>
internal sealed class AccountSignInManager(
    UserManager<ApplicationUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<ApplicationUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<ApplicationUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<ApplicationUser> confirmation)
    : SignInManager<ApplicationUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    /// <summary>Whether the account may not sign in or keep a session: disabled or deleted.</summary>
    public static bool IsCutOff(ApplicationUser user) => user.DisabledAt is not null || user.DeletedAt is not null;

    /// <inheritdoc />
    public override async Task<bool> ValidateSecurityStampAsync(ApplicationUser? user, string? securityStamp) =>
        user is not null && !IsCutOff(user) && await base.ValidateSecurityStampAsync(user, securityStamp);

    /// <inheritdoc />
    protected override Task<SignInResult> SignInOrTwoFactorAsync(
        ApplicationUser user, bool isPersistent, string? loginProvider = null, bool bypassTwoFactor = false) =>
        IsCutOff(user)
            ? Task.FromResult(SignInResult.NotAllowed)
            : base.SignInOrTwoFactorAsync(user, isPersistent, loginProvider, bypassTwoFactor);
}
