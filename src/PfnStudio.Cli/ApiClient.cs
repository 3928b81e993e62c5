using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PfnStudio.Cli.Output;

namespace PfnStudio.Cli;

/// <summary>A successful API answer: its status code and body (JSON text).</summary>
/// <param name="Status">The 2xx status code.</param>
/// <param name="Body">The response body as text (empty when there is none).</param>
/// <param name="Path">The request's path, for messages.</param>
internal sealed record ApiResponse(HttpStatusCode Status, string Body, string Path);

/// <summary>
/// Sends requests to the PFN Studio API with the token in the <c>Authorization</c> header and turns every
/// failure into a <see cref="CliFailure"/> with one readable line and its exit code. Warns once on standard
/// error when the server's <c>PfnStudio-Token-Expires</c> header says the token dies within 7 days.
/// A server is not trusted to be well behaved: its answer is read up to <see cref="MaxBodyBytes"/>, within
/// the <c>--timeout</c> (headers and body together), and a success must be JSON in a charset the CLI knows.
/// </summary>
internal sealed partial class ApiClient(CliContext context, Connection connection, TimeSpan timeout)
{
    /// <summary>Response header with the token's expiry (ISO 8601 UTC); absent for never-expiring tokens.</summary>
    public const string ExpiresHeader = "PfnStudio-Token-Expires";

    /// <summary>The largest answer read (8 MiB): far above any real one, far below what hurts a workstation.</summary>
    public const int MaxBodyBytes = 8 * 1024 * 1024;

    /// <summary>The default of <c>--timeout</c>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(100);

    /// <summary>How close to its expiry a token gets a warning.</summary>
    public static readonly TimeSpan ExpiryWarningWindow = TimeSpan.FromDays(7);

    private bool _warned;

    /// <summary>
    /// Sends <paramref name="method"/> to <paramref name="path"/> (relative to the base URL, no leading slash).
    /// <paramref name="project"/> names the project for a 404 message.
    /// </summary>
    public Task<ApiResponse> SendAsync(
        HttpMethod method, string path, HttpContent? content, string? project, CancellationToken cancellationToken) =>
        SendAsync(method, path, content, project, connection.Token, cancellationToken);

    /// <summary>As <see cref="SendAsync(HttpMethod, string, HttpContent?, string?, CancellationToken)"/> with another token (<c>auth login</c> checks one before saving it).</summary>
    public async Task<ApiResponse> SendAsync(
        HttpMethod method, string path, HttpContent? content, string? project, string token, CancellationToken cancellationToken) =>
        (await SendCoreAsync(method, path, content, project, token, missingIsNull: false, cancellationToken))!;

    /// <summary>As <see cref="SendAsync(HttpMethod, string, HttpContent?, string?, CancellationToken)"/> with an <c>Idempotency-Key</c> header (a rotation's retry gets the same answer).</summary>
    public async Task<ApiResponse> SendWithKeyAsync(
        HttpMethod method, string path, HttpContent? content, string idempotencyKey, CancellationToken cancellationToken) =>
        (await SendCoreAsync(method, path, content, null, connection.Token, missingIsNull: false, cancellationToken, idempotencyKey))!;

    /// <summary>As <see cref="SendAsync(HttpMethod, string, HttpContent?, string?, CancellationToken)"/>, but null when the route does not exist on this server (404 or 405).</summary>
    public Task<ApiResponse?> SendOrMissingAsync(HttpMethod method, string path, CancellationToken cancellationToken) =>
        SendCoreAsync(method, path, null, null, connection.Token, missingIsNull: true, cancellationToken);

    private async Task<ApiResponse?> SendCoreAsync(
        HttpMethod method, string path, HttpContent? content, string? project, string token, bool missingIsNull, CancellationToken cancellationToken,
        string? idempotencyKey = null)
    {
        var uri = new Uri(connection.BaseUrl, path);
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        // Without validation: a malformed token goes to the server as it is, and the server decides.
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        // One deadline for the headers and the whole body: a server that trickles its answer is cut off too.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        HttpResponseMessage response;
        try
        {
            response = await context.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        }
        catch (HttpRequestException ex)
        {
            throw new CliFailure(ExitCodes.Unreachable, $"could not reach {connection.BaseUrlText} ({OneLine(ex.Message)})");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw NoAnswer("no answer");
        }

        using (response)
        {
            await WarnIfExpiringSoonAsync(response);
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400)
            {
                throw Redirected(response);
            }

            byte[]? bytes;
            try
            {
                bytes = await ReadCappedAsync(response.Content, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw NoAnswer("no complete answer");
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                throw new CliFailure(ExitCodes.Unreachable,
                    $"the server at {connection.BaseUrlText} broke off its answer from {uri.AbsolutePath} ({OneLine(ex.Message)})");
            }

            if (missingIsNull && response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
            {
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                // A failure's status says what happened; a body too large or in an unknown charset only loses its detail.
                throw ToFailure(response, bytes is null ? string.Empty : Decode(response, bytes) ?? string.Empty, uri, project);
            }

            if (bytes is null)
            {
                throw new CliFailure(ExitCodes.Failure,
                    $"the server's answer from {uri.AbsolutePath} is larger than {MaxBodyBytes / (1024 * 1024)} MiB; stopped reading it");
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (mediaType is not null && !IsJson(mediaType))
            {
                throw new CliFailure(ExitCodes.Failure,
                    $"the server's answer from {uri.AbsolutePath} is {TerminalText.Safe(mediaType)}, not JSON: is {connection.BaseUrlText} a PFN Studio server? (a proxy or a network login page may be in the way)");
            }

            var body = Decode(response, bytes) ?? throw new CliFailure(ExitCodes.Failure,
                $"the server's answer from {uri.AbsolutePath} is in an unknown charset \"{TerminalText.Safe(response.Content.Headers.ContentType?.CharSet)}\"");
            return new ApiResponse(response.StatusCode, body, uri.AbsolutePath);
        }
    }

    private CliFailure NoAnswer(string what) => new(ExitCodes.Unreachable, string.Create(CultureInfo.InvariantCulture,
        $"{what} from {connection.BaseUrlText} within {timeout.TotalSeconds:0.###} s (--timeout)"));

    // null when the body is larger than the cap.
    private static async Task<byte[]?> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is > MaxBodyBytes)
        {
            return null;
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static bool IsJson(string mediaType) =>
        mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    // The body as text in its declared charset (UTF-8 when none); null for a charset this CLI does not know.
    private static string? Decode(HttpResponseMessage response, byte[] bytes)
    {
        var charset = response.Content.Headers.ContentType?.CharSet?.Trim('"', ' ');
        Encoding encoding;
        if (string.IsNullOrEmpty(charset) || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            encoding = Encoding.UTF8;
        }
        else
        {
            try
            {
                encoding = Encoding.GetEncoding(charset);
            }
            catch (ArgumentException)
            {
                return null;
            }
        }

        var text = encoding.GetString(bytes);
        // A UTF-8 byte order mark is not part of the JSON.
        return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
    }

    private CliFailure ToFailure(HttpResponseMessage response, string body, Uri uri, string? project)
    {
        var problem = Problem.Parse(body);
        var status = (int)response.StatusCode;
        switch (response.StatusCode)
        {
            case HttpStatusCode.Unauthorized:
                // The problem body's detail, else the challenge's error_description (RFC 6750 §3).
                var reason = problem.Detail ?? ErrorDescription(response) ?? "the server refused the token.";
                return new CliFailure(ExitCodes.Unauthorized,
                    $"token refused (401): {EndSentence(reason)} Issue a new token at {connection.IssuePageUrl}");
            case HttpStatusCode.Forbidden:
                // A permission the token lacks (RFC 6750 insufficient_scope naming it): what to issue instead. Any
                // other 403 (a project outside a fine-grained token's reach, a role) is the server's own sentence.
                return MissingPermission(response) is { } permission
                    ? new CliFailure(ExitCodes.Forbidden,
                        $"error: this token may not {permission}: issue one with the {permission} permission at {connection.IssuePageUrl}")
                    : new CliFailure(ExitCodes.Forbidden,
                        $"forbidden (403): {problem.Detail ?? ErrorDescription(response) ?? "the token may not do this."}");
            case HttpStatusCode.NotFound:
                return new CliFailure(ExitCodes.NotFound, project is not null
                    ? $"project \"{project}\" not found, or not in one of your organizations (404)"
                    : $"not found (404): {uri.AbsolutePath} on {connection.BaseUrlText}");
            case HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnprocessableContent:
                return new CliFailure(ExitCodes.Invalid,
                    $"refused ({status}): {problem.ValidationMessage ?? ErrorDescription(response) ?? Reason(response) ?? "bad request"}");
            case HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable:
                var retry = response.Headers.RetryAfter?.Delta is { } delta
                    ? string.Create(CultureInfo.InvariantCulture, $"Retry in {delta.TotalSeconds:0} s.")
                    : "Retry later.";
                return new CliFailure(ExitCodes.Busy,
                    $"server busy ({status}): {EndSentence(problem.Detail ?? problem.Title ?? Reason(response) ?? "busy")} {retry}");
            default:
                return new CliFailure(ExitCodes.Failure,
                    $"server error ({status}) from {uri.AbsolutePath}: {problem.Detail ?? problem.Title ?? Reason(response)}");
        }
    }

    // Redirects are not followed: a client that follows one drops or leaks the Authorization header, and the
    // usual cause (http:// to a server that insists on https://) is fixed once in --url, not on every call.
    private CliFailure Redirected(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (response.Headers.Location is not { IsAbsoluteUri: true } location)
        {
            return new CliFailure(ExitCodes.Usage, $"the server at {connection.BaseUrlText} answered with a redirect ({status}); check --url or PFNSTUDIO_URL");
        }

        var suggested = $"{location.Scheme}://{location.Authority}{connection.BaseUrl.AbsolutePath.TrimEnd('/')}";
        return new CliFailure(ExitCodes.Usage,
            $"the server at {connection.BaseUrlText} redirects to {location.Scheme}://{location.Authority} ({status}): use --url {suggested} (or set PFNSTUDIO_URL)");
    }

    private async Task WarnIfExpiringSoonAsync(HttpResponseMessage response)
    {
        if (_warned
            || !response.Headers.TryGetValues(ExpiresHeader, out var values)
            || !DateTimeOffset.TryParse(values.FirstOrDefault(), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var expiresAt))
        {
            return;
        }

        var left = expiresAt - context.Time.GetUtcNow();
        if (left <= TimeSpan.Zero || left > ExpiryWarningWindow)
        {
            return;
        }

        _warned = true;
        var which = connection.DisplayPrefix is { } prefix ? $"token {prefix}" : "token";
        await context.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"warning: this {which} expires at {expiresAt:yyyy-MM-ddTHH:mm:ssZ} (in {Describe(left)}); issue a new one at {connection.IssuePageUrl}"));
    }

    // "6 days 23 hours", "5 hours", "59 minutes": whole units, rounded down, the largest two.
    private static string Describe(TimeSpan left) => left switch
    {
        { TotalDays: >= 1 } when left.Hours == 0 => Plural(left.Days, "day"),
        { TotalDays: >= 1 } => $"{Plural(left.Days, "day")} {Plural(left.Hours, "hour")}",
        { TotalHours: >= 1 } => Plural(left.Hours, "hour"),
        _ => Plural(Math.Max(left.Minutes, 1), "minute"),
    };

    private static string Plural(int count, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? "" : "s")}");

    private static string? ErrorDescription(HttpResponseMessage response)
    {
        foreach (var challenge in response.Headers.WwwAuthenticate)
        {
            if (challenge.Parameter is { } parameter && ErrorDescriptionPattern().Match(parameter) is { Success: true } match)
            {
                return TerminalText.Safe(OneLine(match.Groups[1].Value));
            }
        }

        return null;
    }

    /// <summary>
    /// The permission a 403 says the token lacks: the <c>scope</c> attribute of a Bearer challenge whose <c>error</c>
    /// is <c>insufficient_scope</c> (RFC 6750 §3), when it is one word of ASCII letters; else <see langword="null"/>.
    /// The header is read as auth-params (RFC 9110 §11.2: token or quoted-string values), so a <c>scope="…"</c>
    /// inside the description, a malformed header or a repeated attribute names nothing.
    /// </summary>
    internal static string? MissingPermission(HttpResponseMessage response)
    {
        foreach (var challenge in response.Headers.WwwAuthenticate)
        {
            if (!challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)
                || challenge.Parameter is not { } parameter
                || AuthParameters.Parse(parameter) is not { } attributes)
            {
                continue;
            }

            if (attributes.GetValueOrDefault("error") == "insufficient_scope"
                && attributes.GetValueOrDefault("scope") is { Length: > 0 and <= 32 } scope
                && scope.All(char.IsAsciiLetter))
            {
                return scope;
            }
        }

        return null;
    }

    private static string? Reason(HttpResponseMessage response) =>
        string.IsNullOrWhiteSpace(response.ReasonPhrase) ? null : TerminalText.Safe(OneLine(response.ReasonPhrase));

    private static string EndSentence(string text)
    {
        text = OneLine(text);
        return text.EndsWith('.') ? text : text + ".";
    }

    /// <summary>Collapses line breaks and runs of whitespace, so every message stays one line.</summary>
    internal static string OneLine(string text) => WhitespacePattern().Replace(text, " ").Trim();

    [GeneratedRegex("error_description=\"([^\"]*)\"", RegexOptions.CultureInvariant)]
    private static partial Regex ErrorDescriptionPattern();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex WhitespacePattern();

    /// <summary>The parts of an RFC 9457 problem body the CLI shows.</summary>
    private sealed class Problem
    {
        public string? Title { get; private init; }

        public string? Detail { get; private init; }

        /// <summary>
        /// The detail (the project API's detail already names the field and line), else every field error as
        /// <c>field: message</c> (framework validation bodies have no detail), else the title.
        /// </summary>
        public string? ValidationMessage { get; private init; }

        public static Problem Parse(string body)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return new Problem();
                }

                var title = String(root, "title");
                var detail = String(root, "detail");
                var errors = new List<string>();
                if (root.TryGetProperty("errors", out var fields) && fields.ValueKind == JsonValueKind.Object)
                {
                    foreach (var field in fields.EnumerateObject())
                    {
                        var messages = field.Value.ValueKind == JsonValueKind.Array
                            ? field.Value.EnumerateArray().Where(m => m.ValueKind == JsonValueKind.String).Select(m => m.GetString()!)
                            : [];
                        errors.AddRange(messages.Select(m => field.Name.Length > 0 ? $"{field.Name}: {m}" : m));
                    }
                }

                return new Problem
                {
                    Title = title,
                    Detail = detail,
                    ValidationMessage = detail ?? (errors.Count > 0 ? TerminalText.Safe(OneLine(string.Join("; ", errors))) : title),
                };
            }
            catch (JsonException)
            {
                return new Problem();
            }
        }

        private static string? String(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? TerminalText.Safe(OneLine(value.GetString()!)) : null;
    }
}
