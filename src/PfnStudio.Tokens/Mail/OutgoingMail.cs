namespace PfnStudio.Tokens.Mail;

/// <summary>
/// One plain-text message to one account. <paramref name="To"/> is always the address stored on the account, never
/// what a visitor typed into a form.
/// </summary>
/// <param name="UserId">The recipient account's id (for the log, which never shows the address).</param>
/// <param name="To">The recipient's stored e-mail address.</param>
/// <param name="Subject">The subject line.</param>
/// <param name="Body">The plain-text body.</param>
/// <param name="Kind">What the message is, for the log (e.g. <c>password_reset</c>); never its content.</param>
/// <param name="Sensitive">
/// Whether the body holds a secret link (password reset): such a message is never written to the log, so it is
/// sent only when a mail server is configured.
/// </param>
internal sealed record OutgoingMail(string UserId, string To, string Subject, string Body, string Kind, bool Sensitive = false);
