using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace PfnStudio.Cli.Output;

/// <summary>JSON for <c>--json</c>: the server's document written again, so no raw control character reaches the terminal.</summary>
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
    /// server wrote them.
    /// </summary>
    /// <exception cref="JsonException">Not JSON.</exception>
    public static string Reencode(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Write(document.RootElement);
    }

    /// <summary>An element as compact JSON.</summary>
    public static string Write(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes <paramref name="element"/>'s members after <paramref name="first"/> members of our own (e.g. push's status).</summary>
    public static string WithMembers(JsonElement element, params (string Name, string Value)[] first)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in first)
            {
                writer.WriteString(name, value);
            }

            foreach (var member in element.EnumerateObject())
            {
                if (first.Any(f => f.Name == member.Name))
                {
                    continue;
                }

                member.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
