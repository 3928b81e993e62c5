namespace PfnStudio.Tokens.Audit;

/// <summary>Structured log events of the audit batch writer, with stable event ids and names.</summary>
internal static partial class AuditLog
{
    [LoggerMessage(EventId = 1101, EventName = "AuditEventsFlushed", Level = LogLevel.Debug,
        Message = "Wrote {EventCount} token audit events")]
    public static partial void Flushed(ILogger logger, int eventCount);

    [LoggerMessage(EventId = 1102, EventName = "AuditEventsFlushFailed", Level = LogLevel.Warning,
        Message = "Could not write {EventCount} token audit events; kept for the next batch")]
    public static partial void FlushFailed(ILogger logger, Exception exception, int eventCount);
}
