using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PfnStudio.Tokens.Accounts;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Pages.Account;

/// <summary>Signs a browser account in, with Identity's lockout after repeated failures; a disabled account is refused.</summary>
[AllowAnonymous]
internal sealed class SignInModel(SignInManager<ApplicationUser> signIn) : PageModel
{
    /// <summary>The form.</summary>
    [BindProperty]
    public SignInInput Input { get; set; } = new();

    /// <summary>Where to go after signing in; only local URLs are followed.</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Shows the form.</summary>
    public void OnGet()
    {
    }

    /// <summary>Signs in and returns to <see cref="ReturnUrl"/>; otherwise re-shows the form with one message.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var result = await signIn.PasswordSignInAsync(Input.Email!.Trim(), Input.Password!, Input.RememberMe, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
        }

        if (result.RequiresTwoFactor)
        {
            return RedirectToPage("/Account/SignInTwoFactor", new { ReturnUrl = Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : null, Input.RememberMe });
        }

        // One message for unknown e-mail and wrong password, so the form does not tell which accounts exist. A disabled
        // account answers "not allowed" only after its correct password (AccountSignInManager), so only its owner learns it.
        ModelState.AddModelError(string.Empty,
            result.IsLockedOut ? "Too many failed attempts. This account is locked for a few minutes; try again later."
            : result.IsNotAllowed && await IsDisabledAsync(Input.Email.Trim()) ? "This account is disabled."
            : result.IsNotAllowed ? "Confirm your email address before signing in."
            : "Invalid email or password.");
        return Page();
    }

    private async Task<bool> IsDisabledAsync(string email) =>
        await signIn.UserManager.FindByNameAsync(email) is { } user && AccountSignInManager.IsCutOff(user);
}

/// <summary>The sign-in form.</summary>
internal sealed class SignInInput
{
    /// <summary>The e-mail address.</summary>
    [Required(ErrorMessage = "Enter your email address.")]
    [StringLength(256)]
    [Display(Name = "Email")]
    public string? Email { get; set; }

    /// <summary>The password.</summary>
    [Required(ErrorMessage = "Enter your password.")]
    [StringLength(256)]
    [DataType(DataType.Password)]
    [Display(Name = "Password")]
    public string? Password { get; set; }

    /// <summary>Keep the session cookie after the browser closes.</summary>
    [Display(Name = "Remember me")]
    public bool RememberMe { get; set; }
}
