using Serilog.Core;
using Serilog.Events;

namespace PfnStudio.Tokens.Infrastructure;

/// <summary>
/// Defence in depth for "never in logs": rewrites every string property of every log event so that anything
/// shaped like a personal access token keeps only its marker and public prefix
/// (<c>pfnstudio_pat_AbC123xYz789…</c>). Framework components log URLs and headers we do not control — e.g.
/// ASP.NET Core's "Request starting" line carries the query string, where a careless client may put a token.
/// </summary>
internal sealed class TokenRedactingEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        foreach (var (name, value) in logEvent.Properties.ToList())
        {
            if (Redact(value) is { } redacted)
            {
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, redacted));
            }
        }
    }

    /// <summary>Returns the value with tokens redacted, or null when it holds none.</summary>
    private static LogEventPropertyValue? Redact(LogEventPropertyValue value)
    {
        switch (value)
        {
            case ScalarValue { Value: string text } when TokenRedaction.Redact(text) is var redacted && !ReferenceEquals(redacted, text):
                return new ScalarValue(redacted);
            case SequenceValue sequence:
            {
                var elements = sequence.Elements.Select(e => Redact(e) ?? e).ToList();
                return elements.SequenceEqual(sequence.Elements) ? null : new SequenceValue(elements);
            }

            case StructureValue structure:
            {
                var properties = structure.Properties.Select(p => Redact(p.Value) is { } r ? new LogEventProperty(p.Name, r) : p).ToList();
                return properties.SequenceEqual(structure.Properties) ? null : new StructureValue(properties, structure.TypeTag);
            }

            case DictionaryValue dictionary:
            {
                var elements = dictionary.Elements.Select(kv => new KeyValuePair<ScalarValue, LogEventPropertyValue>(kv.Key, Redact(kv.Value) ?? kv.Value)).ToList();
                return elements.Select(e => e.Value).SequenceEqual(dictionary.Elements.Select(e => e.Value)) ? null : new DictionaryValue(elements);
            }

            default:
                return null;
        }
    }
}
