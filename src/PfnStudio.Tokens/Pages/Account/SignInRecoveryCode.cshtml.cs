using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PfnStudio.Tokens.Accounts;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Pages.Account;

/// <summary>
/// The second step of signing in with a recovery code instead of the app's code (the device is lost). Each code
/// signs in once: Identity removes it as it is redeemed. A wrong code counts toward lockout like a wrong app code,
/// and a locked account is refused here too.
/// </summary>
[AllowAnonymous]
internal sealed class SignInRecoveryCodeModel(SignInManager<ApplicationUser> signIn) : PageModel
{
    /// <summary>The form.</summary>
    [BindProperty]
    public SignInRecoveryCodeInput Input { get; set; } = new();

    /// <summary>Where to go after signing in; only local URLs are followed.</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>"Remember me" from the password step, carried back to the code step's link: Identity's recovery-code sign-in is never persistent.</summary>
    [BindProperty(SupportsGet = true)]
    public bool RememberMe { get; set; }

    /// <summary>Shows the form, or the password step when no password was checked.</summary>
    public async Task<IActionResult> OnGetAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null ? BackToPassword() : Page();

    /// <summary>Signs in with a recovery code (used up) and returns to <see cref="ReturnUrl"/>; otherwise one message.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return BackToPassword();
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        // Identity's recovery-code sign-in neither checks nor counts toward lockout (the codes are long and
        // random); this page does both, so the second step answers the same way whichever form is used.
        var users = signIn.UserManager;
        if (await users.IsLockedOutAsync(user))
        {
            return Refuse("Too many failed attempts. This account is locked for a few minutes; try again later.");
        }

        var result = await signIn.TwoFactorRecoveryCodeSignInAsync(AuthenticatorSetup.NormalizeRecoveryCode(Input.RecoveryCode));
        if (result.Succeeded)
        {
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
        }

        if (result.IsLockedOut || result.IsNotAllowed)
        {
            return Refuse(result.IsLockedOut
                ? "Too many failed attempts. This account is locked for a few minutes; try again later."
                : "This account may not sign in.");
        }

        await users.AccessFailedAsync(user);
        return Refuse(await users.IsLockedOutAsync(user)
            ? "Too many failed attempts. This account is locked for a few minutes; try again later."
            : "That recovery code is not right, or it was already used.");
    }

    private PageResult Refuse(string message)
    {
        ModelState.AddModelError($"{nameof(Input)}.{nameof(Input.RecoveryCode)}", message);
        return Page();
    }

    private RedirectToPageResult BackToPassword() =>
        RedirectToPage("/Account/SignIn", new { ReturnUrl = Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : null });
}

/// <summary>The recovery code form of the second sign-in step.</summary>
internal sealed class SignInRecoveryCodeInput
{
    /// <summary>One of the recovery codes shown when two-factor authentication was turned on.</summary>
    [Required(ErrorMessage = "Enter one of your recovery codes.")]
    [StringLength(32)]
    [Display(Name = "Recovery code")]
    public string? RecoveryCode { get; set; }
}
