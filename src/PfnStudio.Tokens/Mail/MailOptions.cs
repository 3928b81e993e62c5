using System.ComponentModel.DataAnnotations;
using System.Net.Mail;

namespace PfnStudio.Tokens.Mail;

/// <summary>How the connection to the SMTP server is secured (MailKit's <c>SecureSocketOptions</c>).</summary>
internal enum MailSecurity
{
    /// <summary>TLS from the first byte (SMTPS, usually port 465).</summary>
    SslOnConnect,

    /// <summary>Plain connection upgraded with STARTTLS, refused when the server does not offer it (usually port 587).</summary>
    StartTls,

    /// <summary>STARTTLS when the server offers it, plain otherwise.</summary>
    StartTlsWhenAvailable,

    /// <summary>No TLS at all: only for a relay on the same machine or a test server.</summary>
    None,
}

/// <summary>
/// The outgoing mail server, bound from the <c>Mail</c> section and validated at start. Without a
/// <see cref="Host"/> no mail leaves the service: each message is written to the log instead, and the pages hide
/// what needs real mail ("Forgot password?").
/// </summary>
internal sealed class MailOptions : IValidatableObject
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Mail";

    /// <summary>The SMTP server's host name or address; empty means "no mail server".</summary>
    [StringLength(253)]
    public string? Host { get; set; }

    /// <summary>The SMTP server's port. Default 587 (submission with STARTTLS).</summary>
    [Range(1, 65_535)]
    public int Port { get; set; } = 587;

    /// <summary>How the connection is secured. Default <see cref="MailSecurity.StartTls"/>.</summary>
    public MailSecurity Security { get; set; } = MailSecurity.StartTls;

    /// <summary>The user name to authenticate with; empty means the server takes mail without authentication.</summary>
    public string? UserName { get; set; }

    /// <summary>The password for <see cref="UserName"/> (keep it in an environment variable or a secret store, not in appsettings.json).</summary>
    public string? Password { get; set; }

    /// <summary>The sender address, e.g. <c>tokens@pfn.example</c>; required with a <see cref="Host"/>.</summary>
    public string? From { get; set; }

    /// <summary>The sender's display name. Default "PFN Studio".</summary>
    [StringLength(100)]
    public string FromName { get; set; } = "PFN Studio";

    /// <summary>
    /// The service's public address as people reach it, e.g. <c>https://tokens.pfn.example</c>; required with a
    /// <see cref="Host"/>. Links in mail are built from it, never from a request's Host header (which anyone can set).
    /// </summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>Seconds one connection attempt may take (connect, authenticate, send). Default 30.</summary>
    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Whether a mail server is configured.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsConfigured)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(From) || !MailAddress.TryCreate(From, out _))
        {
            yield return new ValidationResult("Mail:From must be the sender's e-mail address when Mail:Host is set.", [nameof(From)]);
        }

        if (PublicUrl is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            yield return new ValidationResult("Mail:PublicUrl must be the service's absolute http(s) address when Mail:Host is set.", [nameof(PublicUrl)]);
        }

        if (string.IsNullOrEmpty(UserName) != string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult("Mail:UserName and Mail:Password are set together or not at all.", [nameof(UserName), nameof(Password)]);
        }
    }
}
