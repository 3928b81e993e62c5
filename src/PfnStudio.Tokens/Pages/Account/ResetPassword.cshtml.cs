using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using PfnStudio.Tokens.Accounts;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Pages.Account;

/// <summary>
/// Chooses a new password from an e-mailed reset link (<see cref="ForgotPasswordModel"/>). A link that is wrong,
/// expired, already used, or for a disabled or deleted account gets one sentence and changes nothing. Success changes
/// the security stamp (every session ends, the link stops working), writes an audit row, mails a notice, and sends
/// the person to sign in; two-factor authentication, when on, is still asked for there. Tokens keep working.
/// </summary>
[AllowAnonymous]
internal sealed class ResetPasswordModel(UserManager<ApplicationUser> users, AccountMail mail, AccountActivity activity) : PageModel
{
    /// <summary>The message for a link that cannot be used.</summary>
    public const string InvalidLink = "This password reset link is not valid any more: it was used, it expired, or it was mistyped. Ask for a new one.";

    /// <summary>The form, with the link's user id and code carried in hidden fields.</summary>
    [BindProperty]
    public ResetPasswordInput Input { get; set; } = new();

    /// <summary>Shows the form for the link's user id and code.</summary>
    public IActionResult OnGet(string? userId, string? code)
    {
        if (!mail.CanSend)
        {
            return NotFound();
        }

        Input = new ResetPasswordInput { UserId = userId, Code = code };
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(code))
        {
            ModelState.AddModelError(string.Empty, InvalidLink);
        }

        return Page();
    }

    /// <summary>Sets the new password when the link is still good.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        if (!mail.CanSend)
        {
            return NotFound();
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        if (string.IsNullOrEmpty(Input.UserId) || await users.FindByIdAsync(Input.UserId) is not { } user || AccountSignInManager.IsCutOff(user)
            || Decode(Input.Code) is not { } token)
        {
            ModelState.AddModelError(string.Empty, InvalidLink);
            return Page();
        }

        var result = await users.ResetPasswordAsync(user, token, Input.NewPassword!);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                if (error.Code == nameof(IdentityErrorDescriber.InvalidToken))
                {
                    ModelState.AddModelError(string.Empty, InvalidLink);
                }
                else
                {
                    ModelState.AddModelError("Input.NewPassword", error.Description);
                }
            }

            return Page();
        }

        await activity.RecordAsync(user.Id, Data.AuditEventKind.PasswordReset, HttpContext.Connection.RemoteIpAddress?.ToString(),
            "password set with an e-mailed reset link; every session signed out");
        mail.SendPasswordChanged(user, Request, throughReset: true);
        TempData["StatusMessage"] = "Your password is changed and every session is signed out. Sign in with the new password.";
        return RedirectToPage("/Account/SignIn");
    }

    private static string? Decode(string? code)
    {
        try
        {
            return string.IsNullOrEmpty(code) ? null : Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>The reset form.</summary>
internal sealed class ResetPasswordInput
{
    /// <summary>The account id from the link.</summary>
    [StringLength(450)]
    public string? UserId { get; set; }

    /// <summary>The link's code (Base64url of Identity's reset token).</summary>
    [StringLength(2_000)]
    public string? Code { get; set; }

    /// <summary>The new password.</summary>
    [Required(ErrorMessage = "Enter a new password.")]
    [StringLength(256, MinimumLength = 10, ErrorMessage = "The password must be 10 to 256 characters.")]
    [DataType(DataType.Password)]
    [Display(Name = "New password")]
    public string? NewPassword { get; set; }

    /// <summary>The new password again.</summary>
    [Required(ErrorMessage = "Repeat the new password.")]
    [DataType(DataType.Password)]
    [Compare(nameof(NewPassword), ErrorMessage = "The two new passwords differ.")]
    [Display(Name = "New password again")]
    public string? ConfirmPassword { get; set; }
}
