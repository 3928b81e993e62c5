using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PfnStudio.Tokens.Accounts;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Pages.Account;

/// <summary>
/// The second step of signing in when two-factor authentication is on: the password was right (Identity holds
/// the account in its short-lived two-factor cookie), now the authenticator app's code. A wrong code counts
/// toward Identity's lockout like a wrong password. Without the two-factor cookie (it expired, or the password
/// step was skipped) the visitor is sent back to the password step.
/// </summary>
[AllowAnonymous]
internal sealed class SignInTwoFactorModel(SignInManager<ApplicationUser> signIn) : PageModel
{
    /// <summary>The form.</summary>
    [BindProperty]
    public SignInCodeInput Input { get; set; } = new();

    /// <summary>Where to go after signing in; only local URLs are followed.</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>"Remember me" from the password step: keep the session cookie after the browser closes.</summary>
    [BindProperty(SupportsGet = true)]
    public bool RememberMe { get; set; }

    /// <summary>Shows the form, or the password step when no password was checked.</summary>
    public async Task<IActionResult> OnGetAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null ? BackToPassword() : Page();

    /// <summary>Signs in with the app's code and returns to <see cref="ReturnUrl"/>; otherwise one message.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null)
        {
            return BackToPassword();
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var code = AuthenticatorSetup.NormalizeCode(Input.Code);
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code, RememberMe, rememberClient: false);
        if (result.Succeeded)
        {
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
        }

        ModelState.AddModelError($"{nameof(Input)}.{nameof(Input.Code)}",
            result.IsLockedOut ? "Too many failed attempts. This account is locked for a few minutes; try again later."
            : result.IsNotAllowed ? "This account may not sign in."
            : "That code is not right. Enter the 6-digit code your authenticator app shows now.");
        return Page();
    }

    private RedirectToPageResult BackToPassword() =>
        RedirectToPage("/Account/SignIn", new { ReturnUrl = Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : null });
}

/// <summary>The code form of the second sign-in step.</summary>
internal sealed class SignInCodeInput
{
    /// <summary>The authenticator app's current code.</summary>
    [Required(ErrorMessage = "Enter the 6-digit code from your authenticator app.")]
    [StringLength(16)]
    [Display(Name = "Code from the app")]
    public string? Code { get; set; }
}
