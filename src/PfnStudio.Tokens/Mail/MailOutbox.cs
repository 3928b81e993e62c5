using System.Threading.Channels;

namespace PfnStudio.Tokens.Mail;

/// <summary>
/// Messages waiting for <see cref="MailDeliveryService"/>. Pages only queue: a slow or unreachable mail server never
/// slows a page or turns it into an error, and a request that sends mail takes as long as one that does not (so
/// "Forgot password?" cannot tell which e-mail addresses have accounts). The queue is in memory and bounded
/// (<see cref="Capacity"/>); when it is full the newest message is dropped and logged.
/// </summary>
internal sealed partial class MailOutbox(ILogger<MailOutbox> logger)
{
    /// <summary>How many messages may wait at once.</summary>
    public const int Capacity = 1_000;

    private readonly Channel<OutgoingMail> _queue = Channel.CreateBounded<OutgoingMail>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    /// <summary>The reading end, for the delivery service.</summary>
    public ChannelReader<OutgoingMail> Reader => _queue.Reader;

    /// <summary>Queues a message; never blocks and never throws.</summary>
    public void Enqueue(OutgoingMail message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!_queue.Writer.TryWrite(message))
        {
            Dropped(logger, message.Kind, message.UserId);
        }
    }

    [LoggerMessage(EventId = 7001, EventName = "MailDropped", Level = LogLevel.Error,
        Message = "The outgoing mail queue is full: {Kind} mail to user {UserId} was dropped")]
    private static partial void Dropped(ILogger logger, string kind, string userId);
}
