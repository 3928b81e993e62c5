using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Accounts;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Organizations;

namespace PfnStudio.Tokens.Pages.Account;

/// <summary>Creates a browser account and signs it in (unless e-mail confirmation is required).</summary>
[AllowAnonymous]
internal sealed class SignUpModel(
    UserManager<ApplicationUser> users,
    SignInManager<ApplicationUser> signIn,
    IOptions<AccountOptions> accounts,
    OrganizationService organizations,
    AccountMail mail) : PageModel
{
    /// <summary>The form.</summary>
    [BindProperty]
    public SignUpInput Input { get; set; } = new();

    /// <summary>Where to go after signing up; only local URLs are followed.</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Set when the account was created but must confirm its e-mail address first.</summary>
    public bool ConfirmationRequired { get; private set; }

    /// <summary>Shows the form.</summary>
    public void OnGet()
    {
    }

    /// <summary>Creates the account; on a validation or Identity error re-shows the form with messages.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var email = Input.Email!.Trim();
        var user = new ApplicationUser { UserName = email, Email = email };
        var result = await users.CreateAsync(user, Input.Password!);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                switch (error.Code)
                {
                    case nameof(IdentityErrorDescriber.DuplicateUserName):
                        break; // The user name is the e-mail address: DuplicateEmail says it once.
                    case nameof(IdentityErrorDescriber.DuplicateEmail):
                        ModelState.AddModelError("Input.Email", "An account with this email already exists. Sign in instead.");
                        break;
                    case var code when code.StartsWith("Password", StringComparison.Ordinal):
                        ModelState.AddModelError("Input.Password", error.Description);
                        break;
                    case var code when code.Contains("Email", StringComparison.Ordinal) || code.Contains("UserName", StringComparison.Ordinal):
                        ModelState.AddModelError("Input.Email", error.Description);
                        break;
                    default:
                        ModelState.AddModelError(string.Empty, error.Description);
                        break;
                }
            }

            return Page();
        }

        await organizations.JoinDefaultOnSignUpAsync(user.Id);

        if (accounts.Value.RequireConfirmedEmail)
        {
            var code = WebEncoders.Base64UrlEncode(System.Text.Encoding.UTF8.GetBytes(await users.GenerateEmailConfirmationTokenAsync(user)));
            // Mailed to the new address; without a mail server the operator relays it from the log.
            mail.SendConfirmation(user, mail.Link(Request, Url.Page("/Account/ConfirmEmail", new { userId = user.Id, code })!));
            ConfirmationRequired = true;
            return Page();
        }

        await signIn.SignInAsync(user, isPersistent: false);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }
}

/// <summary>The sign-up form.</summary>
internal sealed class SignUpInput
{
    /// <summary>The e-mail address, which is also the user name.</summary>
    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(256, ErrorMessage = "The email address must be at most 256 characters.")]
    [Display(Name = "Email")]
    public string? Email { get; set; }

    /// <summary>The password: at least 10 characters.</summary>
    [Required(ErrorMessage = "Enter a password.")]
    [StringLength(256, MinimumLength = 10, ErrorMessage = "The password must be 10 to 256 characters.")]
    [DataType(DataType.Password)]
    [Display(Name = "Password")]
    public string? Password { get; set; }

    /// <summary>The password again.</summary>
    [Required(ErrorMessage = "Confirm your password.")]
    [DataType(DataType.Password)]
    [Compare(nameof(Password), ErrorMessage = "The passwords do not match.")]
    [Display(Name = "Confirm password")]
    public string? ConfirmPassword { get; set; }
}
