using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PfnStudio.Tokens.Accounts;
using PfnStudio.Tokens.Audit;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Pages.Account;

/// <summary>
/// The signed-in person's account: e-mail, password change and "sign out everywhere". Both actions change the
/// security stamp, which every host checks on every request, so the sessions they end are refused at once.
/// Personal access tokens are not sessions: they keep working.
/// </summary>
[Authorize]
internal sealed class AccountModel(
    UserManager<ApplicationUser> users,
    SignInManager<ApplicationUser> signIn,
    AccountActivity activity,
    AccountMail mail) : PageModel
{
    /// <summary>The account's recent security events (password, two-factor, sessions, operator actions), newest first.</summary>
    public IReadOnlyList<TokenActivity> Activity { get; private set; } = [];

    /// <summary>The signed-in person's e-mail address.</summary>
    public string? Email { get; private set; }

    /// <summary>Whether two-factor authentication is on (its card links to /account/two-factor).</summary>
    public bool TwoFactorEnabled { get; private set; }

    /// <summary>The password change form.</summary>
    [BindProperty]
    public ChangePasswordInput Input { get; set; } = new();

    /// <summary>The outcome of the last action.</summary>
    [TempData]
    public string? StatusMessage { get; set; }

    /// <summary>Shows the page.</summary>
    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        await ShowAsync(user);
        return Page();
    }

    /// <summary>
    /// Changes the password (the current one is required): every other session ends, this one is re-issued with
    /// the new stamp. On a wrong current or weak new password nothing changes and the form says why.
    /// </summary>
    public async Task<IActionResult> OnPostChangePasswordAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        await ShowAsync(user);
        if (!ModelState.IsValid)
        {
            return Page();
        }

        if (string.Equals(Input.CurrentPassword, Input.NewPassword, StringComparison.Ordinal))
        {
            ModelState.AddModelError("Input.NewPassword", "The new password is the current one: choose another.");
            return Page();
        }

        var result = await users.ChangePasswordAsync(user, Input.CurrentPassword!, Input.NewPassword!);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                var key = error.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? "Input.CurrentPassword" : "Input.NewPassword";
                var message = error.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? "The current password is not right." : error.Description;
                ModelState.AddModelError(key, message);
            }

            return Page();
        }

        // ChangePasswordAsync updated the stamp; re-issue this session's cookie so only the others end.
        await signIn.RefreshSignInAsync(user);
        await activity.RecordAsync(user.Id, AuditEventKind.PasswordChanged, ClientAddress, "changed on the account page; every other session signed out");
        mail.SendPasswordChanged(user, Request, throughReset: false);
        StatusMessage = "Your password is changed. Every other session is signed out; your API tokens keep working.";
        return RedirectToPage();
    }

    /// <summary>Ends every session of this account, this one included, on every host.</summary>
    public async Task<IActionResult> OnPostSignOutEverywhereAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        await users.UpdateSecurityStampAsync(user);
        await activity.RecordAsync(user.Id, AuditEventKind.SignedOutEverywhere, ClientAddress, "every session signed out, this one included");
        await signIn.SignOutAsync();
        return LocalRedirect("/account/sign-in");
    }

    private string? ClientAddress => HttpContext.Connection.RemoteIpAddress?.ToString();

    private async Task ShowAsync(ApplicationUser user)
    {
        Email = user.Email;
        TwoFactorEnabled = user.TwoFactorEnabled;
        Activity = await activity.RecentAsync(user.Id, HttpContext.RequestAborted);
    }
}

/// <summary>The password change form.</summary>
internal sealed class ChangePasswordInput
{
    /// <summary>The current password.</summary>
    [Required(ErrorMessage = "Enter your current password.")]
    [StringLength(256)]
    [DataType(DataType.Password)]
    [Display(Name = "Current password")]
    public string? CurrentPassword { get; set; }

    /// <summary>The new password.</summary>
    [Required(ErrorMessage = "Enter a new password.")]
    [StringLength(256)]
    [DataType(DataType.Password)]
    [Display(Name = "New password")]
    public string? NewPassword { get; set; }

    /// <summary>The new password again.</summary>
    [Required(ErrorMessage = "Repeat the new password.")]
    [StringLength(256)]
    [DataType(DataType.Password)]
    [Compare(nameof(NewPassword), ErrorMessage = "The two new passwords differ.")]
    [Display(Name = "New password again")]
    public string? ConfirmPassword { get; set; }
}
