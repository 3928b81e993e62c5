using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace PfnStudio.Tokens.Mail;

/// <summary>
/// Sends what <see cref="MailOutbox"/> holds, one message at a time: through the configured SMTP server (MailKit),
/// or, with none configured, into the log (at Warning, so the operator can relay a confirmation link by hand). A
/// message the server refuses or cannot take is tried <see cref="Attempts"/> times, then logged as lost (kind and
/// user id only, never the body).
/// </summary>
internal sealed partial class MailDeliveryService(
    MailOutbox outbox,
    IOptions<MailOptions> options,
    TimeProvider time,
    ILogger<MailDeliveryService> logger) : BackgroundService
{
    /// <summary>How often one message is tried before it is given up.</summary>
    public const int Attempts = 3;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in outbox.Reader.ReadAllAsync(stoppingToken))
            {
                await DeliverAsync(message, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping; what is still queued is lost, like any in-memory queue.
        }
    }

    private async Task DeliverAsync(OutgoingMail message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.IsConfigured)
        {
            if (message.Sensitive)
            {
                NotSentWithoutServer(logger, message.Kind, message.UserId);
            }
            else
            {
                WrittenToLog(logger, message.Kind, message.UserId, message.Subject, message.Body);
            }

            return;
        }

        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            try
            {
                await SendAsync(settings, message, cancellationToken);
                Sent(logger, message.Kind, message.UserId);
                return;
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ProtocolException
                or CommandException or AuthenticationException or SslHandshakeException or TimeoutException
                or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                if (attempt == Attempts)
                {
                    Lost(logger, message.Kind, message.UserId, Attempts, ex.Message);
                    return;
                }

                // 1 s, then 4 s: long enough for a restarting relay, short enough to keep the queue moving.
                await Task.Delay(TimeSpan.FromSeconds(attempt * attempt * 1.0), time, cancellationToken);
            }
        }
    }

    private static async Task SendAsync(MailOptions settings, OutgoingMail message, CancellationToken cancellationToken)
    {
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(settings.FromName, settings.From!));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        mime.Body = new TextPart("plain") { Text = message.Body };

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        using var client = new SmtpClient { Timeout = settings.TimeoutSeconds * 1000 };
        await client.ConnectAsync(settings.Host!, settings.Port, settings.Security switch
        {
            MailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            MailSecurity.StartTls => SecureSocketOptions.StartTls,
            MailSecurity.StartTlsWhenAvailable => SecureSocketOptions.StartTlsWhenAvailable,
            _ => SecureSocketOptions.None,
        }, timeout.Token);
        if (!string.IsNullOrEmpty(settings.UserName))
        {
            await client.AuthenticateAsync(settings.UserName, settings.Password ?? string.Empty, timeout.Token);
        }

        await client.SendAsync(mime, timeout.Token);
        await client.DisconnectAsync(quit: true, timeout.Token);
    }

    [LoggerMessage(EventId = 7002, EventName = "MailWrittenToLog", Level = LogLevel.Warning,
        Message = "No mail server is configured: {Kind} mail to user {UserId}: {Subject}\n{Body}")]
    private static partial void WrittenToLog(ILogger logger, string kind, string userId, string subject, string body);

    [LoggerMessage(EventId = 7003, EventName = "MailNotSentWithoutServer", Level = LogLevel.Warning,
        Message = "No mail server is configured: {Kind} mail to user {UserId} holds a secret link and is not written to the log")]
    private static partial void NotSentWithoutServer(ILogger logger, string kind, string userId);

    [LoggerMessage(EventId = 7004, EventName = "MailSent", Level = LogLevel.Information,
        Message = "Sent {Kind} mail to user {UserId}")]
    private static partial void Sent(ILogger logger, string kind, string userId);

    [LoggerMessage(EventId = 7005, EventName = "MailLost", Level = LogLevel.Error,
        Message = "Could not send {Kind} mail to user {UserId} after {Attempts} attempts: {Reason}")]
    private static partial void Lost(ILogger logger, string kind, string userId, int attempts, string reason);
}
