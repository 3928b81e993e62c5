using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PfnStudio.Tokens.Accounts;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Pages.Account;

/// <summary>
/// Account → Two-factor authentication, with an authenticator app through Identity's authenticator token provider:
/// set up (QR code and key; the first correct code turns it on and reveals <see cref="AuthenticatorSetup.RecoveryCodeCount"/>
/// recovery codes once), turn off (a current code or a recovery code), new recovery codes (a current code).
/// A wrong code changes nothing but Identity's failed-attempt count: enough of them lock the account as wrong
/// sign-in codes do, so a stolen session cannot guess its way to turning 2FA off.
/// Turning 2FA on or off updates the security stamp, so every other session ends; this one is re-issued.
/// Every response is <c>Cache-Control: no-store</c> (the key and the recovery codes are secrets).
/// </summary>
[Authorize]
internal sealed class TwoFactorModel(
    UserManager<ApplicationUser> users,
    SignInManager<ApplicationUser> signIn,
    IUserStore<ApplicationUser> store,
    TimeProvider time,
    AccountActivity activity,
    AccountMail mail) : PageModel
{
    /// <summary>The three forms' codes; each handler reads and checks only its own.</summary>
    [BindProperty]
    public TwoFactorInput Input { get; set; } = new();

    /// <summary>The outcome of the last action.</summary>
    [TempData]
    public string? StatusMessage { get; set; }

    /// <summary>Whether two-factor authentication is on.</summary>
    public bool Enabled { get; private set; }

    /// <summary>Whether turning it on asks for the password (sudo mode: signed in more than 2 hours ago).</summary>
    public bool NeedsPassword { get; private set; }

    /// <summary>While off: the key in groups of four, for typing into an app.</summary>
    public string? FormattedKey { get; private set; }

    /// <summary>While off: the QR code of the <c>otpauth://</c> URI, as a <c>data:</c> URI.</summary>
    public string? QrCodeDataUri { get; private set; }

    /// <summary>While on: recovery codes not used yet.</summary>
    public int RecoveryCodesLeft { get; private set; }

    /// <summary>Recovery codes just generated, in the one response that shows them.</summary>
    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    /// <summary>Shows the set-up form (off) or the turn-off and new-codes forms (on).</summary>
    public async Task<IActionResult> OnGetAsync()
    {
        NoStore();
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        await LoadAsync(user);
        return Page();
    }

    /// <summary>Turns 2FA on when the code matches the shown key, and reveals new recovery codes once.</summary>
    public async Task<IActionResult> OnPostEnableAsync()
    {
        NoStore();
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        if (await users.GetTwoFactorEnabledAsync(user))
        {
            StatusMessage = "Two-factor authentication is already on.";
            return RedirectToPage();
        }

        // Sudo mode: a stolen session must not put its own authenticator on the account (and lock the owner out).
        var password = Input.Password;
        Input.Password = null;
        var confirmedBefore = SudoMode.IsConfirmed(User, time.GetUtcNow());
        if (!await SudoMode.ConfirmAsync(HttpContext, signIn, user, password, time.GetUtcNow()))
        {
            ModelState.AddModelError($"{nameof(Input)}.{nameof(Input.Password)}", SudoMode.Refusal(password, "turning on two-factor authentication"));
            await LoadAsync(user);
            return Page();
        }

        var code = AuthenticatorSetup.NormalizeCode(Input.Code);
        if (await CheckAppCodeAsync(user, code, $"{nameof(Input)}.{nameof(Input.Code)}") is false)
        {
            await LoadAsync(user, passwordConfirmed: true);
            return Page();
        }

        // Both update the security stamp: every other session ends (it signed in without a second factor).
        await users.SetTwoFactorEnabledAsync(user, true);
        RecoveryCodes = [.. await users.GenerateNewTwoFactorRecoveryCodesAsync(user, AuthenticatorSetup.RecoveryCodeCount) ?? []];

        // A code from the app just set up proves the app, not the person: sudo mode keeps the instant it had.
        if (confirmedBefore)
        {
            await SudoMode.RefreshWithoutConfirmationAsync(HttpContext, signIn, user);
        }
        else
        {
            await signIn.RefreshSignInAsync(user);
        }

        await activity.RecordAsync(user.Id, AuditEventKind.TwoFactorEnabled, HttpContext.Connection.RemoteIpAddress?.ToString(),
            "turned on with an authenticator app; every other session signed out");
        ModelState.Clear();
        Input = new();
        await LoadAsync(user);
        return Page();
    }

    /// <summary>Turns 2FA off with a current code or a recovery code; the key is replaced, so the app's entry stops working.</summary>
    public async Task<IActionResult> OnPostDisableAsync()
    {
        NoStore();
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        if (!await users.GetTwoFactorEnabledAsync(user))
        {
            return RedirectToPage();
        }

        var key = $"{nameof(Input)}.{nameof(Input.DisableCode)}";
        var code = AuthenticatorSetup.NormalizeCode(Input.DisableCode);
        var confirmed = AuthenticatorSetup.LooksLikeAppCode(code) || code.Length == 0
            ? await CheckAppCodeAsync(user, code, key)
            : await RedeemRecoveryCodeAsync(user, Input.DisableCode, key);
        if (confirmed is false)
        {
            await LoadAsync(user);
            return Page();
        }

        await users.SetTwoFactorEnabledAsync(user, false);
        await users.ResetAuthenticatorKeyAsync(user);

        // Codes of the new key start afresh: its first code may fall in the step the old key's last code was used in.
        await users.RemoveAuthenticationTokenAsync(user, OneTimeAuthenticatorTokenProvider.LoginProvider, OneTimeAuthenticatorTokenProvider.LastStepName);

        // A current code (or a recovery code) is the second factor confirmed now: it counts for sudo mode.
        await signIn.RefreshSignInAsync(user);
        await activity.RecordAsync(user.Id, AuditEventKind.TwoFactorDisabled, HttpContext.Connection.RemoteIpAddress?.ToString(),
            "turned off with a current code; every other session signed out");
        mail.SendTwoFactorDisabled(user, Request);
        StatusMessage = "Two-factor authentication is off. Your other sessions are signed out; your API tokens keep working.";
        return RedirectToPage();
    }

    /// <summary>Replaces every recovery code with new ones (a current code is required) and shows them once.</summary>
    public async Task<IActionResult> OnPostRecoveryCodesAsync()
    {
        NoStore();
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        if (!await users.GetTwoFactorEnabledAsync(user))
        {
            return RedirectToPage();
        }

        var code = AuthenticatorSetup.NormalizeCode(Input.RecoveryCodesCode);
        if (await CheckAppCodeAsync(user, code, $"{nameof(Input)}.{nameof(Input.RecoveryCodesCode)}") is false)
        {
            await LoadAsync(user);
            return Page();
        }

        RecoveryCodes = [.. await users.GenerateNewTwoFactorRecoveryCodesAsync(user, AuthenticatorSetup.RecoveryCodeCount) ?? []];
        ModelState.Clear();
        Input = new();
        await LoadAsync(user);
        return Page();
    }

    private async Task LoadAsync(ApplicationUser user, bool passwordConfirmed = false)
    {
        Enabled = await users.GetTwoFactorEnabledAsync(user);
        NeedsPassword = !Enabled && !passwordConfirmed && !SudoMode.IsConfirmed(User, time.GetUtcNow());
        if (Enabled)
        {
            RecoveryCodesLeft = await users.CountRecoveryCodesAsync(user);
            return;
        }

        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            // A first key is stored without ResetAuthenticatorKeyAsync's stamp update: until a code confirms it, it
            // signs nothing in, and merely opening this page must not sign the person's other sessions out.
            key = users.GenerateNewAuthenticatorKey();
            await ((IUserAuthenticatorKeyStore<ApplicationUser>)store).SetAuthenticatorKeyAsync(user, key, HttpContext.RequestAborted);
            await users.UpdateAsync(user);
        }

        FormattedKey = AuthenticatorSetup.FormatKey(key);
        QrCodeDataUri = AuthenticatorSetup.QrCodeDataUri(AuthenticatorSetup.AuthenticatorUri(user.Email ?? user.UserName ?? string.Empty, key));
    }

    // True when the code is the app's current one; otherwise a message under the field, and a failed attempt counted.
    private async Task<bool> CheckAppCodeAsync(ApplicationUser user, string code, string field)
    {
        if (await users.IsLockedOutAsync(user))
        {
            ModelState.AddModelError(field, "Too many wrong codes. Try again in a few minutes.");
            return false;
        }

        if (code.Length == 0)
        {
            ModelState.AddModelError(field, "Enter the 6-digit code from your authenticator app.");
            return false;
        }

        if (AuthenticatorSetup.LooksLikeAppCode(code)
            && await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code))
        {
            await users.ResetAccessFailedCountAsync(user);
            return true;
        }

        await users.AccessFailedAsync(user);
        ModelState.AddModelError(field, "That code is not right. Enter the 6-digit code your authenticator app shows now.");
        return false;
    }

    private async Task<bool> RedeemRecoveryCodeAsync(ApplicationUser user, string? typed, string field)
    {
        if (await users.IsLockedOutAsync(user))
        {
            ModelState.AddModelError(field, "Too many wrong codes. Try again in a few minutes.");
            return false;
        }

        if ((await users.RedeemTwoFactorRecoveryCodeAsync(user, AuthenticatorSetup.NormalizeRecoveryCode(typed))).Succeeded)
        {
            await users.ResetAccessFailedCountAsync(user);
            return true;
        }

        await users.AccessFailedAsync(user);
        ModelState.AddModelError(field, "That code is not right, or that recovery code was already used.");
        return false;
    }

    private void NoStore()
    {
        Response.Headers.CacheControl = "no-store";
        Response.Headers.Pragma = "no-cache";
    }
}

/// <summary>The codes of the page's three forms (set up, turn off, new recovery codes).</summary>
internal sealed class TwoFactorInput
{
    /// <summary>Set up: the app's current code.</summary>
    public string? Code { get; set; }

    /// <summary>Set up, in sudo mode: the account's password (never shown again).</summary>
    [System.ComponentModel.DataAnnotations.StringLength(256)]
    public string? Password { get; set; }

    /// <summary>Turn off: the app's current code or a recovery code.</summary>
    public string? DisableCode { get; set; }

    /// <summary>New recovery codes: the app's current code.</summary>
    public string? RecoveryCodesCode { get; set; }
}
