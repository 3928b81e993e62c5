namespace PfnStudio.Cli;

/// <summary>
/// Where the CLI talks to and with which token, resolved from the global options and the environment:
/// <c>--token</c>, else <c>PFNSTUDIO_TOKEN</c>; <c>--url</c>, else <c>PFNSTUDIO_URL</c>, else
/// <see cref="DefaultUrl"/>.
/// </summary>
internal sealed class Connection
{
    /// <summary>The environment variable holding the personal access token.</summary>
    public const string TokenVariable = "PFNSTUDIO_TOKEN";

    /// <summary>The environment variable holding the server's base URL.</summary>
    public const string UrlVariable = "PFNSTUDIO_URL";

    /// <summary>The server a newcomer runs with <c>dotnet run --project src/PfnStudio.Tokens</c>.</summary>
    public const string DefaultUrl = "http://localhost:5000";

    /// <summary>The one line printed when no token is given; no request is sent.</summary>
    public const string NoTokenMessage = "no token: set PFNSTUDIO_TOKEN or pass --token";

    private const string TokenPrefix = "pfnstudio_pat_";

    private Connection(Uri baseUrl, string token)
    {
        BaseUrl = baseUrl;
        Token = token;
    }

    /// <summary>The server's base URL, without a trailing slash in <see cref="BaseUrlText"/>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The base URL as the user would type it, without a trailing slash.</summary>
    public string BaseUrlText => BaseUrl.AbsoluteUri.TrimEnd('/');

    /// <summary>Where a person issues a new token: <c>&lt;url&gt;/api-tokens</c>.</summary>
    public string IssuePageUrl => $"{BaseUrlText}/api-tokens";

    /// <summary>The token, trimmed of surrounding whitespace. Sent only in the <c>Authorization</c> header.</summary>
    internal string Token { get; }

    /// <summary>
    /// The token's public form for messages: <c>pfnstudio_pat_</c> and its 12-character prefix followed by an
    /// ellipsis when the token is well formed, else nothing (a malformed value could be all secret).
    /// </summary>
    public string? DisplayPrefix =>
        Token.Length == TokenPrefix.Length + 32
        && Token.StartsWith(TokenPrefix, StringComparison.Ordinal)
        && Token.AsSpan(TokenPrefix.Length).ContainsAnyExcept(Base62) is false
            ? Token[..(TokenPrefix.Length + 12)] + "…"
            : null;

    private static readonly System.Buffers.SearchValues<char> Base62 =
        System.Buffers.SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <summary>
    /// Resolves the URL and token. <paramref name="tokenOption"/> is the <c>--token</c> value, or null when the
    /// option was not given: when given it wins over <c>PFNSTUDIO_TOKEN</c> even if empty, so a script passing an
    /// unset variable never falls back to another identity. Whitespace and line breaks pasted around a token are
    /// trimmed; anything else is kept as it is and the server decides.
    /// </summary>
    /// <exception cref="CliFailure">Bad URL (<see cref="ExitCodes.Usage"/>), no token or a token with a line
    /// break or NUL inside (<see cref="ExitCodes.NoToken"/>).</exception>
    public static Connection Resolve(string? tokenOption, string? urlOption, IReadOnlyDictionary<string, string> environment)
    {
        var baseUrl = ResolveUrl(urlOption, environment);

        var token = (tokenOption ?? environment.GetValueOrDefault(TokenVariable) ?? string.Empty).Trim();
        if (token.Length == 0)
        {
            throw new CliFailure(ExitCodes.NoToken, NoTokenMessage);
        }

        // A header value cannot carry CR, LF or NUL: sending such a token is impossible, not the server's call.
        if (token.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            throw new CliFailure(ExitCodes.NoToken,
                "the token has a line break inside it and cannot be sent: copy it again from the API tokens page");
        }

        return new Connection(baseUrl, token);
    }

    private static Uri ResolveUrl(string? urlOption, IReadOnlyDictionary<string, string> environment)
    {
        var (text, source) = !string.IsNullOrWhiteSpace(urlOption)
            ? (urlOption.Trim(), "--url")
            : environment.GetValueOrDefault(UrlVariable) is { } fromEnvironment && !string.IsNullOrWhiteSpace(fromEnvironment)
                ? (fromEnvironment.Trim(), UrlVariable)
                : (DefaultUrl, "the default URL");
        if (Uri.TryCreate(text, UriKind.Absolute, out var withCredentials) && withCredentials.UserInfo.Length > 0)
        {
            // Never echo credentials found in a URL.
            throw new CliFailure(ExitCodes.Usage, $"{source} must not contain a user name or password");
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment))
        {
            throw new CliFailure(ExitCodes.Usage, $"{source} is not an http(s) URL: {text}");
        }

        // Keep a path base (a server behind /pfnstudio/), so relative routes resolve under it.
        return new Uri(url.AbsoluteUri.TrimEnd('/') + "/");
    }
}
