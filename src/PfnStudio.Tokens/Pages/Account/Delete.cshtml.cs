using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PfnStudio.Tokens.Accounts;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Pages.Account;

/// <summary>
/// Deletes the signed-in person's account, with their password (and an authenticator code when two-factor
/// authentication is on) required again: a session left open on a shared computer is not enough. The deletion is the
/// operator's (<see cref="AccountAdministration"/>): every token revoked in one transaction, every session ended, the
/// audit rows kept as "deleted user"; it is refused while the person is the last owner of an organization with other
/// members, naming it.
/// </summary>
[Authorize]
internal sealed class DeleteModel(
    UserManager<ApplicationUser> users,
    SignInManager<ApplicationUser> signIn,
    AccountAdministration administration,
    SignInThrottle throttle) : PageModel
{
    /// <summary>The notice the home page shows after a deletion.</summary>
    public const string DeletedNotice = "Your account is deleted: its tokens are revoked and every session is signed out.";

    /// <summary>The form.</summary>
    [BindProperty]
    public DeleteAccountInput Input { get; set; } = new();

    /// <summary>Whether two-factor authentication is on, so a code is asked for too.</summary>
    public bool TwoFactorEnabled { get; private set; }

    /// <summary>Shows the form.</summary>
    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        TwoFactorEnabled = await users.GetTwoFactorEnabledAsync(user);
        return Page();
    }

    /// <summary>Deletes the account and signs out, or re-shows the form saying why nothing changed.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        TwoFactorEnabled = await users.GetTwoFactorEnabledAsync(user);
        if (!ModelState.IsValid)
        {
            return Page();
        }

        // Wrong passwords here count as wrong sign-ins: a stolen session cannot try passwords faster than a stranger.
        var client = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (!throttle.MayCheck(client, user.Email!, out var retryAfter, out _))
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            ModelState.AddModelError(string.Empty,
                $"Too many failed password checks; try again in {(int)Math.Ceiling(retryAfter.TotalSeconds)} seconds.");
            return Page();
        }

        if (!await users.CheckPasswordAsync(user, Input.Password!))
        {
            throttle.CountFailure(client, user.Email!);
            ModelState.AddModelError("Input.Password", "The password is not right.");
            return Page();
        }

        if (TwoFactorEnabled)
        {
            var code = (Input.Code ?? string.Empty).Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);
            if (code.Length == 0 || !await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code))
            {
                ModelState.AddModelError("Input.Code", "The authentication code is not right.");
                return Page();
            }
        }

        var result = await administration.DeleteOwnAsync(user, cancellationToken);
        if (!result.Succeeded)
        {
            ModelState.AddModelError(string.Empty, result.LastOwnerOf is { } organization
                ? $"You are the last owner of organization \"{organization}\", which has other members. Make one of them an owner, or remove them, first. Nothing was deleted."
                : result.Message);
            return Page();
        }

        // The stamp is already new (every other session is refused); this removes this browser's cookie too.
        await signIn.SignOutAsync();
        TempData["StatusMessage"] = DeletedNotice;
        return LocalRedirect("/");
    }
}

/// <summary>The account deletion form.</summary>
internal sealed class DeleteAccountInput
{
    /// <summary>The account's password.</summary>
    [Required(ErrorMessage = "Enter your password.")]
    [StringLength(256)]
    [DataType(DataType.Password)]
    [Display(Name = "Password")]
    public string? Password { get; set; }

    /// <summary>The authenticator app's code, when two-factor authentication is on.</summary>
    [StringLength(16)]
    [Display(Name = "Authentication code")]
    public string? Code { get; set; }
}
