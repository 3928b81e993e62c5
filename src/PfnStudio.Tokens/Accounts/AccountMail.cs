using System.Globalization;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Mail;

namespace PfnStudio.Tokens.Accounts;

/// <summary>
/// The account's mail: e-mail confirmation, password reset, and security notices (password changed, two-factor
/// authentication turned off; token notices are <see cref="PersonalAccessTokens.TokenMail"/>'s). Every message goes to the address stored on the account, never to
/// what a visitor typed, and is queued (<see cref="MailOutbox"/>), so a page never waits for the mail server.
/// </summary>
internal sealed class AccountMail(MailOutbox outbox, IOptions<MailOptions> options, TimeProvider time)
{
    /// <summary>Whether a mail server is configured (otherwise messages go to the log and reset links nowhere).</summary>
    public bool CanSend => options.Value.IsConfigured;

    /// <summary>
    /// An absolute link to <paramref name="pathAndQuery"/>: under <see cref="MailOptions.PublicUrl"/> when set, else
    /// under the request's own origin (only for messages that go to the operator's log).
    /// </summary>
    public string Link(HttpRequest request, string pathAndQuery)
    {
        ArgumentNullException.ThrowIfNull(request);
        var origin = options.Value.PublicUrl is { } url
            ? url.GetLeftPart(UriPartial.Authority)
            : $"{request.Scheme}://{request.Host.ToUriComponent()}";
        return origin + pathAndQuery;
    }

    /// <summary>Asks the new account to confirm its address (written to the log when no server is configured).</summary>
    public void SendConfirmation(ApplicationUser user, string link) => Send(user, "email_confirmation",
        "Confirm your PFN Studio e-mail address",
        $"""
        Someone, hopefully you, created a PFN Studio account with this e-mail address.

        Confirm it by opening this link:
        {link}

        If this was not you, ignore this message: the account cannot sign in until the address is confirmed.
        """);

    /// <summary>Sends a password reset link. Never written to the log: without a mail server nothing is sent.</summary>
    public void SendPasswordReset(ApplicationUser user, string link, TimeSpan lifetime) => Send(user, "password_reset",
        "Reset your PFN Studio password",
        $"""
        Someone, hopefully you, asked to reset the password of the PFN Studio account {user.Email}.

        Choose a new password here (the link works once, for {Hours(lifetime)}):
        {link}

        If this was not you, ignore this message: your password stays as it is.
        """,
        sensitive: true);

    /// <summary>Tells the owner that the password changed (on the account page or through a reset link).</summary>
    public void SendPasswordChanged(ApplicationUser user, HttpRequest request, bool throughReset) => Send(user, "password_changed",
        "Your PFN Studio password was changed",
        $"""
        The password of your PFN Studio account {user.Email} was changed {(throughReset ? "with a password reset link" : "on the account page")} at {Now()}.
        Every other session was signed out. Your API tokens keep working.

        If this was not you, {(CanSend ? $"reset your password at {Link(request, "/account/forgot-password")}" : "ask your operator to reset your password")}
        and revoke your tokens at {Link(request, "/api-tokens")}.
        """);

    /// <summary>Tells the owner that two-factor authentication was turned off.</summary>
    public void SendTwoFactorDisabled(ApplicationUser user, HttpRequest request) => Send(user, "two_factor_off",
        "Two-factor authentication is off for your PFN Studio account",
        $"""
        Two-factor authentication was turned off for your PFN Studio account {user.Email} at {Now()}.
        Signing in now asks for the password only. Every other session was signed out.

        If this was not you, change your password and turn it on again at {Link(request, "/account")}.
        """);

    private void Send(ApplicationUser user, string kind, string subject, string body, bool sensitive = false)
    {
        if (string.IsNullOrEmpty(user.Email))
        {
            return;
        }

        outbox.Enqueue(new OutgoingMail(user.Id, user.Email, subject, body, kind, sensitive));
    }

    private string Now() => Instant(time.GetUtcNow());

    private static string Instant(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Hours(TimeSpan lifetime) =>
        lifetime.TotalHours == 1 ? "1 hour" : string.Create(CultureInfo.InvariantCulture, $"{lifetime.TotalHours:0.#} hours");
}
