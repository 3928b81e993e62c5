using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Accounts;

/// <summary>Options of <see cref="PasswordResetTokenProvider"/> (a lifetime of its own, apart from e-mail confirmation's).</summary>
internal sealed class PasswordResetTokenProviderOptions : DataProtectionTokenProviderOptions;

/// <summary>
/// Identity's data-protection token provider for password reset links only, valid for <see cref="Lifetime"/>.
/// The code carries the account's security stamp, so it works once: resetting the password changes the stamp, as
/// does any other password change, sign-out everywhere, or disabling the account.
/// </summary>
internal sealed class PasswordResetTokenProvider(
    IDataProtectionProvider dataProtectionProvider,
    IOptions<PasswordResetTokenProviderOptions> options,
    ILogger<DataProtectorTokenProvider<ApplicationUser>> logger)
    : DataProtectorTokenProvider<ApplicationUser>(dataProtectionProvider, options, logger)
{
    /// <summary>The provider's name in Identity's token options.</summary>
    public const string ProviderName = "PasswordReset";

    /// <summary>How long a reset link works: 2 hours.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(2);
}
