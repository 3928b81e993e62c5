using System.Text.Json;

namespace PfnStudio.Tokens.PersonalAccessTokens.LeakReports;

/// <summary>A leaked-token report, read and checked.</summary>
/// <param name="Strings">How many strings the report held (every one counts, token-shaped or not).</param>
/// <param name="Candidates">The distinct strings among them that are well-formed tokens (<see cref="PersonalAccessTokenFormat.TryGetPrefix"/>), with their prefixes.</param>
/// <param name="Url">Where they were found: an absolute http(s) URL of printable ASCII, at most <see cref="LeakedTokenReportReader.MaxUrlLength"/> characters.</param>
internal sealed record LeakedTokenReport(int Strings, IReadOnlyList<(string Token, string Prefix)> Candidates, string Url);

/// <summary>Why a report was refused: the JSON field at fault and one sentence starting with it.</summary>
internal sealed record LeakedTokenReportError(string Field, string Message);

/// <summary>
/// Reads <c>{"tokens": ["…", …], "url": "https://…"}</c> (camelCase like the rest of the API) with a forward-only
/// <see cref="Utf8JsonReader"/>, so a report with too many strings is refused at the first one past the limit
/// without the rest being read into memory. Unknown fields, a repeated field, a non-string entry, no strings and a
/// missing or unusable URL are each a 400 naming the field. Strings that are not well-formed tokens are counted
/// and dropped here: they cannot be anyone's token, and no store is read for them.
/// </summary>
internal static class LeakedTokenReportReader
{
    /// <summary>Largest body, in bytes (1 MiB: 1,000 tokens of 52 characters need about 56 KiB).</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>Most strings in one report.</summary>
    public const int MaxTokens = 1_000;

    /// <summary>Longest URL, in characters: it is stored as the audit row's detail (<see cref="Data.AuditEvent.DetailMaxLength"/>).</summary>
    public const int MaxUrlLength = Data.AuditEvent.DetailMaxLength;

    /// <summary>The field names.</summary>
    public const string TokensField = "tokens";

    /// <inheritdoc cref="TokensField"/>
    public const string UrlField = "url";

    /// <summary>Parses and checks <paramref name="body"/>; exactly one of the results is set.</summary>
    public static (LeakedTokenReport? Report, LeakedTokenReportError? Error) Read(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 4 });
        var strings = 0;
        var candidates = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? url = null;
        bool sawTokens = false, sawUrl = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Fail("body", "body: must be a JSON object with tokens and url.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if (name == TokensField && !sawTokens)
                {
                    sawTokens = true;
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        return Fail(TokensField, "tokens: must be an array of strings.");
                    }

                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            return Fail($"{TokensField}[{strings}]", $"tokens[{strings}]: must be a string.");
                        }

                        if (++strings > MaxTokens)
                        {
                            return Fail(TokensField, $"tokens: at most {MaxTokens} strings per report; send the rest in further reports.");
                        }

                        // Longer than any token: not one, and never materialised as a string.
                        if (reader.ValueSpan.Length <= 2 * PersonalAccessTokenFormat.TokenLength)
                        {
                            var text = reader.GetString()!;
                            if (PersonalAccessTokenFormat.TryGetPrefix(text, out var prefix) && seen.Add(text))
                            {
                                candidates.Add((text, prefix));
                            }
                        }
                    }
                }
                else if (name == UrlField && !sawUrl)
                {
                    sawUrl = true;
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return Fail(UrlField, "url: must be a string, the address where the tokens were found.");
                    }

                    url = reader.ValueSpan.Length <= 6 * MaxUrlLength ? reader.GetString() : new string('x', MaxUrlLength + 1);
                }
                else
                {
                    return name is TokensField or UrlField
                        ? Fail(name, $"{name}: given twice.")
                        : Fail(Shorten(name ?? "body"), $"{Shorten(name ?? "body")}: not a field of a report; send tokens and url.");
                }
            }

            // Only one object: anything after it (or a truncated body) is not a report.
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return Fail("body", "body: must be exactly one JSON object with tokens and url.");
            }
        }
        catch (JsonException ex)
        {
            return Fail("body", $"body: not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
        }

        if (!sawTokens || strings == 0)
        {
            return Fail(TokensField, "tokens: send at least one string found.");
        }

        if (CheckUrl(url) is { } problem)
        {
            return Fail(UrlField, problem);
        }

        return (new LeakedTokenReport(strings, candidates, url!), null);
    }

    // Printable ASCII only (scanners percent-encode the rest), so the URL shows on the owner's page exactly as stored.
    private static string? CheckUrl(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return "url: required, the absolute http(s) address where the tokens were found.";
        }

        if (url.Length > MaxUrlLength)
        {
            return $"url: at most {MaxUrlLength} characters.";
        }

        if (url.AsSpan().ContainsAnyExceptInRange('!', '~'))
        {
            return "url: only printable ASCII without spaces; percent-encode anything else.";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || string.IsNullOrEmpty(uri.Host))
        {
            return "url: must be an absolute http or https URL.";
        }

        return uri.UserInfo.Length > 0 ? "url: must not carry a user name or password." : null;
    }

    private static string Shorten(string value) => value.Length > 32 ? value[..32] + "…" : value;

    private static (LeakedTokenReport?, LeakedTokenReportError?) Fail(string field, string message) =>
        (null, new LeakedTokenReportError(field, message));
}
