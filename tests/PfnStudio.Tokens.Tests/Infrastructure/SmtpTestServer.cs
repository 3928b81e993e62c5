using System.Text;
using MimeKit;
using netDumbster.smtp;

namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>
/// A real SMTP server in the test process (netDumbster on a free loopback port), and the host settings that send
/// the service's mail to it. Messages are read back as MIME, the way a mail client would.
/// </summary>
internal sealed class SmtpTestServer : IDisposable
{
    /// <summary>The public address the test hosts put into links.</summary>
    public const string PublicUrl = "https://tokens.pfn.example";

    private readonly SimpleSmtpServer _server = SimpleSmtpServer.Start();

    /// <summary>The <c>Mail</c> settings that point a host at this server (no TLS, no authentication).</summary>
    public Dictionary<string, string> Settings => new()
    {
        ["Mail:Host"] = "127.0.0.1",
        ["Mail:Port"] = _server.Configuration.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Mail:Security"] = "None",
        ["Mail:From"] = "tokens@pfn.example",
        ["Mail:PublicUrl"] = PublicUrl,
    };

    /// <summary>Every message received so far, oldest first.</summary>
    public IReadOnlyList<MimeMessage> Received => [.. _server.ReceivedEmail.Select(m => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(m.Data))))];

    /// <summary>Waits (up to 10 s) for a message to <paramref name="to"/> whose subject contains <paramref name="subject"/>.</summary>
    public async Task<MimeMessage> WaitForAsync(string to, string subject)
    {
        for (var i = 0; i < 200; i++)
        {
            if (Received.FirstOrDefault(m => Matches(m, to, subject)) is { } message)
            {
                return message;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"No mail to {to} with \"{subject}\"; received: {string.Join(" | ", Received.Select(m => $"{m.To} {m.Subject}"))}");
    }

    /// <summary>The messages to <paramref name="to"/> whose subject contains <paramref name="subject"/>, after letting the outbox drain.</summary>
    public async Task<IReadOnlyList<MimeMessage>> AfterAWhileAsync(string to, string subject)
    {
        await Task.Delay(1_000, TestContext.Current.CancellationToken);
        return [.. Received.Where(m => Matches(m, to, subject))];
    }

    /// <summary>The first https link in a message's text, as a path and query on the host under test.</summary>
    public static string LinkPath(MimeMessage message)
    {
        var text = message.TextBody ?? string.Empty;
        var start = text.IndexOf(PublicUrl, StringComparison.Ordinal);
        Assert.True(start >= 0, "The message holds no link under the configured public URL: " + text);
        var end = text.IndexOfAny([' ', '\r', '\n'], start);
        return text[(start + PublicUrl.Length)..(end < 0 ? text.Length : end)];
    }

    public void Dispose() => _server.Dispose();

    private static bool Matches(MimeMessage message, string to, string subject) =>
        message.To.Mailboxes.Any(m => string.Equals(m.Address, to, StringComparison.Ordinal))
        && (message.Subject ?? string.Empty).Contains(subject, StringComparison.Ordinal);
}
