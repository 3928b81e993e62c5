using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>Every Serilog event the host writes, rendered with all its properties.</summary>
internal sealed class CapturedLogs : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyCollection<LogEvent> Events => _events;

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    /// <summary>Each event as text: message, every property value, and the exception with its stack.</summary>
    public IEnumerable<string> Rendered() => _events.Select(e =>
        e.RenderMessage()
        + " | " + string.Join(" | ", e.Properties.Select(p => $"{p.Key}={p.Value}"))
        + " | " + e.Exception);
}
