using System.Text;
using QRCoder;

namespace PfnStudio.Tokens.Accounts;

/// <summary>
/// What an authenticator app needs to enrol an account: Identity's authenticator key (Base32, RFC 4648) shown in
/// groups of four, the <c>otpauth://</c> URI of the Key Uri Format (TOTP, SHA-1, 6 digits, 30 s: what Identity's
/// authenticator token provider verifies), and that URI as a QR code drawn on the server as SVG, so the page needs
/// neither script nor a third-party image (its CSP allows <c>img-src 'self' data:</c> and no inline script).
/// </summary>
internal static class AuthenticatorSetup
{
    /// <summary>The issuer an authenticator app lists the account under.</summary>
    public const string Issuer = "PFN Studio";

    /// <summary>Digits of a code from the app (and of the code the set-up form asks for).</summary>
    public const int CodeLength = 6;

    /// <summary>Recovery codes generated when 2FA is turned on, and on "New recovery codes".</summary>
    public const int RecoveryCodeCount = 10;

    /// <summary>The key in upper case, in groups of four separated by spaces, for typing into an app by hand.</summary>
    public static string FormatKey(string key)
    {
        var grouped = new StringBuilder(key.Length + key.Length / 4);
        for (var i = 0; i < key.Length; i += 4)
        {
            if (i > 0)
            {
                grouped.Append(' ');
            }

            grouped.Append(key.AsSpan(i, Math.Min(4, key.Length - i)));
        }

        return grouped.ToString().ToUpperInvariant();
    }

    /// <summary>
    /// The Key Uri Format: <c>otpauth://totp/PFN%20Studio:{email}?secret={key}&amp;issuer=PFN%20Studio&amp;digits=6</c>,
    /// label and issuer percent-encoded (RFC 3986).
    /// </summary>
    public static string AuthenticatorUri(string email, string key) =>
        $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(email)}"
        + $"?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&algorithm=SHA1&digits={CodeLength}&period=30";

    /// <summary>The URI as a QR code in an SVG image, as a <c>data:image/svg+xml;base64,…</c> URI for an <c>img</c>.</summary>
    public static string QrCodeDataUri(string authenticatorUri)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(authenticatorUri, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(5);
        return "data:image/svg+xml;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(svg));
    }

    /// <summary>An app's code as typed: spaces and hyphens removed (apps show <c>123 456</c>).</summary>
    public static string NormalizeCode(string? code) =>
        (code ?? string.Empty).Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);

    /// <summary>
    /// A recovery code as typed, in the form Identity stores it (<c>XXXXX-XXXXX</c>, upper case): spaces removed,
    /// letters upper-cased, the hyphen put back when it was left out.
    /// </summary>
    public static string NormalizeRecoveryCode(string? code)
    {
        var compact = (code ?? string.Empty).Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        return compact.Length == 10 && !compact.Contains('-', StringComparison.Ordinal) ? $"{compact[..5]}-{compact[5..]}" : compact;
    }

    /// <summary>Whether <paramref name="code"/> (normalized) has an app code's shape: <see cref="CodeLength"/> ASCII digits.</summary>
    public static bool LooksLikeAppCode(string code) => code.Length == CodeLength && code.All(char.IsAsciiDigit);
}
