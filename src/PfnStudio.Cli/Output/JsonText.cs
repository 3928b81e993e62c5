using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace PfnStudio.Cli.Output;

/// <summary>
/// JSON for <c>--json</c>: the server's document written again, so no raw control character reaches the
/// terminal and no string carries the token, even one the server hid behind JSON escapes (<c>\u0070…</c>).
/// </summary>
internal static class JsonText
{
    // Every script is kept readable; the encoder still escapes controls (Cc) and format characters (Cf, which
    // holds the bidirectional controls) as \uXXXX.
    private static readonly JsonWriterOptions Options = new()
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        Indented = false,
    };

    /// <summary>
    /// <paramref name="json"/> parsed and written again: the same members in the same order, numbers as the
    /// server wrote them, every string (names too) with the token redacted after its escapes were decoded.
    /// </summary>
    /// <exception cref="JsonException">Not JSON.</exception>
    public static string Reencode(string json, TokenRedactor redactor)
    {
        using var document = JsonDocument.Parse(json);
        return Write(writer => WriteElement(writer, document.RootElement, redactor));
    }

    /// <summary>
    /// <paramref name="element"/>, an object, with <paramref name="first"/> members of our own before its own
    /// (push's <c>status</c>); a member of the same name in <paramref name="element"/> is left out.
    /// </summary>
    public static string WithMembers(JsonElement element, TokenRedactor redactor, params (string Name, string Value)[] first) =>
        Write(writer =>
        {
            writer.WriteStartObject();
            foreach (var (name, value) in first)
            {
                writer.WriteString(name, value);
            }

            foreach (var member in element.EnumerateObject().Where(m => !first.Any(f => f.Name == m.Name)))
            {
                writer.WritePropertyName(redactor.Redact(member.Name));
                WriteElement(writer, member.Value, redactor);
            }

            writer.WriteEndObject();
        });

    /// <summary>A page of items, <c>{"items": […], "nextCursor": …}</c>, from items gathered over several pages.</summary>
    public static string Page(IEnumerable<JsonElement> items, string? nextCursor, TokenRedactor redactor) =>
        Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("items");
            foreach (var item in items)
            {
                WriteElement(writer, item, redactor);
            }

            writer.WriteEndArray();
            if (nextCursor is null)
            {
                writer.WriteNull("nextCursor");
            }
            else
            {
                writer.WriteString("nextCursor", redactor.Redact(nextCursor));
            }

            writer.WriteEndObject();
        });

    /// <summary>Whatever <paramref name="write"/> writes, as compact JSON text.</summary>
    public static string Write(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteElement(Utf8JsonWriter writer, JsonElement element, TokenRedactor redactor)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var member in element.EnumerateObject())
                {
                    writer.WritePropertyName(redactor.Redact(member.Name));
                    WriteElement(writer, member.Value, redactor);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteElement(writer, item, redactor);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(redactor.Redact(element.GetString()!));
                break;
            default:
                // Numbers exactly as the server wrote them (--json is for the raw numbers); true, false, null.
                element.WriteTo(writer);
                break;
        }
    }
}
