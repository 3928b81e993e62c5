using System.ComponentModel.DataAnnotations;
using System.Globalization;
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
/// "Forgot password?": mails a reset link (valid for <see cref="PasswordResetTokenProvider.Lifetime"/>, once) to the
/// address stored on the account whose normalised e-mail matches what was typed. The answer is the same page, with
/// the same sentence, in the same time, whether or not an account exists (the mail is queued, never awaited).
/// Exists only with a mail server (404 otherwise). Throttled per client address and per account (<see cref="SignInThrottle"/>).
/// </summary>
[AllowAnonymous]
internal sealed class ForgotPasswordModel(UserManager<ApplicationUser> users, AccountMail mail, SignInThrottle throttle) : PageModel
{
    /// <summary>The form.</summary>
    [BindProperty]
    public ForgotPasswordInput Input { get; set; } = new();

    /// <summary>Set after a request: the address as typed, for the "if an account…" sentence.</summary>
    public string? RequestedFor { get; private set; }

    /// <summary>Shows the form (404 without a mail server).</summary>
    public IActionResult OnGet() => mail.CanSend ? Page() : NotFound();

    /// <summary>Queues the link when an account matches; answers the same either way.</summary>
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

        var client = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (!throttle.MayRequestReset(client, out var retryAfter))
        {
            var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            ModelState.AddModelError(string.Empty, $"Too many password reset requests from your network; try again in {seconds} seconds.");
            return Page();
        }

        var email = AccountEmail.Trim(Input.Email)!;
        if (await users.FindByEmailAsync(email) is { } user && !AccountSignInManager.IsCutOff(user) && throttle.MayMailReset(email))
        {
            var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GeneratePasswordResetTokenAsync(user)));
            var link = mail.Link(Request, Url.Page("/Account/ResetPassword", new { userId = user.Id, code })!);
            mail.SendPasswordReset(user, link, PasswordResetTokenProvider.Lifetime);
        }

        RequestedFor = email;
        ModelState.Clear();
        Input = new ForgotPasswordInput();
        return Page();
    }
}

/// <summary>The "Forgot password?" form.</summary>
internal sealed class ForgotPasswordInput
{
    /// <summary>The account's e-mail address.</summary>
    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(256, ErrorMessage = "The email address must be at most 256 characters.")]
    [Display(Name = "Email")]
    public string? Email { get; set; }
}
