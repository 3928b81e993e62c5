using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OtpNet;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Accounts;

/// <summary>
/// Identity's authenticator token provider (RFC 6238 TOTP: HMAC-SHA1, 6 digits, 30-second steps, two steps of clock
/// drift either side, on the key Identity stores), with what RFC 6238 §5.2 requires and Identity's own provider does
/// not do: a code is accepted once. The last accepted time step is kept with the account (an Identity user token,
/// <see cref="LoginProvider"/>/<see cref="LastStepName"/>), and a code of that step or an earlier one is refused,
/// on every host: someone who watched a code being typed cannot use it again within its 90 seconds. Every check goes
/// through here — the second sign-in step, turning 2FA on and off, new recovery codes, deleting the account.
/// Time comes from <see cref="TimeProvider"/>.
/// </summary>
internal sealed class OneTimeAuthenticatorTokenProvider(TimeProvider time) : IUserTwoFactorTokenProvider<ApplicationUser>
{
    /// <summary>The provider name it is registered under, in place of Identity's own "Authenticator".</summary>
    public static readonly string ProviderName = TokenOptions.DefaultAuthenticatorProvider;

    /// <summary>The user token's login provider column.</summary>
    public const string LoginProvider = "[PfnStudio]";

    /// <summary>The user token's name: the last accepted time step (Unix seconds / 30), in decimal.</summary>
    public const string LastStepName = "LastAuthenticatorStep";

    // Identity's window: codes from up to 60 s before and after now (90 s in all, counting the current step).
    private static readonly VerificationWindow Drift = new(previous: 2, future: 2);

    /// <inheritdoc />
    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<ApplicationUser> manager, ApplicationUser user) =>
        !string.IsNullOrWhiteSpace(await manager.GetAuthenticatorKeyAsync(user));

    /// <inheritdoc />
    public Task<string> GenerateAsync(string purpose, UserManager<ApplicationUser> manager, ApplicationUser user) =>
        Task.FromResult(string.Empty); // The code comes from the app.

    /// <inheritdoc />
    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<ApplicationUser> manager, ApplicationUser user)
    {
        var key = await manager.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrWhiteSpace(key) || token.Length != AuthenticatorSetup.CodeLength || !token.All(char.IsAsciiDigit))
        {
            return false;
        }

        byte[] secret;
        try
        {
            secret = Base32Encoding.ToBytes(key);
        }
        catch (ArgumentException)
        {
            return false;
        }

        var totp = new Totp(secret, step: 30, mode: OtpHashMode.Sha1, totpSize: AuthenticatorSetup.CodeLength);
        if (!totp.VerifyTotp(time.GetUtcNow().UtcDateTime, token, out var step, Drift))
        {
            return false;
        }

        // Once per step: a code of the step accepted last, or of one before it, is a replay.
        var last = await manager.GetAuthenticationTokenAsync(user, LoginProvider, LastStepName);
        if (long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var lastStep) && step <= lastStep)
        {
            return false;
        }

        // Saved with the account's concurrency stamp: of two requests racing with one code, only one is saved.
        try
        {
            var saved = await manager.SetAuthenticationTokenAsync(user, LoginProvider, LastStepName, step.ToString(CultureInfo.InvariantCulture));
            return saved.Succeeded;
        }
        catch (DbUpdateException)
        {
            // The other request inserted the first step row at the same moment: it was the one accepted.
            return false;
        }
    }
}
