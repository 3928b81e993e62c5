using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PfnStudio.Tokens.Accounts;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Pages.Account;

/// <summary>
/// Signs a browser account in; wrong passwords are throttled per client address and per account (<see cref="SignInThrottle"/>),
/// never locked out; a disabled account is refused.
/// </summary>
[AllowAnonymous]
internal sealed class SignInModel(SignInManager<ApplicationUser> signIn, SignInThrottle throttle, AccountMail mail) : PageModel
{
    /// <summary>Whether to offer "Forgot password?" (only with a mail server to send the link).</summary>
    public bool CanResetPassword => mail.CanSend;

    /// <summary>The outcome of an action that led here (e.g. a password reset).</summary>
    [TempData]
    public string? StatusMessage { get; set; }

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

        var email = Input.Email!.Trim();
        var client = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (!throttle.MayCheck(client, email, out var retryAfter, out var byAddress))
        {
            // No password check at all: 429, and one message whether or not the e-mail has an account.
            var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            ModelState.AddModelError(string.Empty, byAddress
                ? $"Too many failed sign-ins from your network; try again in {seconds} seconds."
                : $"Too many failed sign-ins for this email address from several networks; try again in {seconds} seconds.");
            return Page();
        }

        // Wrong passwords never lock the account (SignInThrottle slows them down instead), so a stranger cannot
        // lock its owner out; Identity's lockout is left to second-factor codes, which only the password's holder reaches.
        // Found by the stored address's normalised form (AccountEmail), as everywhere else.
        var user = await signIn.UserManager.FindByEmailAsync(email);
        var result = user is null
            ? HashForNothing(Input.Password!)
            : await signIn.PasswordSignInAsync(user, Input.Password!, Input.RememberMe, lockoutOnFailure: false);
        if (result.Succeeded)
        {
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
        }

        // The right password, and a second factor to come: on to the code (never counted as a wrong password).
        if (result.RequiresTwoFactor)
        {
            return RedirectToPage("/Account/SignInTwoFactor", new { ReturnUrl = Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : null, Input.RememberMe });
        }

        // Identity answers "locked out" and "not allowed" (unconfirmed e-mail) before it checks the password; those are
        // told only to whoever typed the right one, so the form never says which e-mail addresses have an account.
        var rightPassword = (result.IsLockedOut || result.IsNotAllowed) && user is not null
            && await signIn.UserManager.CheckPasswordAsync(user, Input.Password!);
        if (!rightPassword)
        {
            throttle.CountFailure(client, email);
        }

        // A disabled account answers "not allowed" only after its correct password (AccountSignInManager).
        ModelState.AddModelError(string.Empty,
            !rightPassword ? "Invalid email or password."
            : result.IsLockedOut ? "Too many wrong sign-in codes. This account is locked for a few minutes; try again later."
            : AccountSignInManager.IsCutOff(user!) ? "This account is disabled."
            : "Confirm your email address before signing in.");
        return Page();
    }

    // An e-mail without an account costs one password hash too, so the answer's timing does not tell it apart.
    private Microsoft.AspNetCore.Identity.SignInResult HashForNothing(string password)
    {
        _ = signIn.UserManager.PasswordHasher.HashPassword(new ApplicationUser(), password);
        return Microsoft.AspNetCore.Identity.SignInResult.Failed;
    }
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
