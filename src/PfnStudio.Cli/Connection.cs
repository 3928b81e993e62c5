using PfnStudio.Cli.Configuration;

namespace PfnStudio.Cli;

/// <summary>Where the token a command uses came from (<c>pfnstudio auth status</c> says which).</summary>
internal enum TokenSource
{
    /// <summary><c>--token</c>.</summary>
    Flag,

    /// <summary><c>PFNSTUDIO_TOKEN</c>.</summary>
    Environment,

    /// <summary>The config file written by <c>pfnstudio auth login</c>.</summary>
    ConfigFile,
}

/// <summary>
/// Where the CLI talks to and with which token, resolved from the global options, the environment and the
/// config file (flag, then environment, then file, for both): <c>--token</c>, else <c>PFNSTUDIO_TOKEN</c>, else the
/// saved token; <c>--url</c>, else <c>PFNSTUDIO_URL</c>, else the saved URL, else <see cref="DefaultUrl"/>.
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
    public const string NoTokenMessage = "no token: run 'pfnstudio auth login', set PFNSTUDIO_TOKEN or pass --token";

    private Connection(Uri baseUrl, string urlSource, string token, TokenSource tokenSource)
    {
        BaseUrl = baseUrl;
        UrlSource = urlSource;
        Token = token;
        TokenSource = tokenSource;
    }

    /// <summary>Where the URL came from: <c>--url</c>, <c>PFNSTUDIO_URL</c>, <c>the config file</c> or <c>the default URL</c>.</summary>
    public string UrlSource { get; }

    /// <summary>Where the token came from.</summary>
    public TokenSource TokenSource { get; }

    /// <summary>The server's base URL, without a trailing slash in <see cref="BaseUrlText"/>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The base URL as the user would type it, without a trailing slash.</summary>
    public string BaseUrlText => Text(BaseUrl);

    /// <summary>Where a person issues a new token: <c>&lt;url&gt;/api-tokens</c>.</summary>
    public string IssuePageUrl => $"{BaseUrlText}/api-tokens";

    /// <summary>The token, trimmed of surrounding whitespace. Sent only in the <c>Authorization</c> header.</summary>
    internal string Token { get; }

    /// <summary>
    /// The token's public form for messages: <c>pfnstudio_pat_</c> and its 12-character prefix followed by an
    /// ellipsis when the token is well formed, else nothing (a malformed value could be all secret).
    /// </summary>
    public string? DisplayPrefix =>
        TokenShape.IsTokenShaped(Token) ? Token[..(TokenShape.Marker.Length + TokenShape.PrefixLength)] + "…" : null;

    /// <summary>
    /// Resolves the URL and token: <c>--url</c>, else <c>PFNSTUDIO_URL</c>, else the saved login's URL, else the
    /// default; <c>--token</c>, else <c>PFNSTUDIO_TOKEN</c>, else the saved token, which goes only to the URL it
    /// was saved with. <paramref name="tokenOption"/> is the <c>--token</c> value, or null when the option was not
    /// given: when given it wins even if empty, so a script passing an unset variable never falls back to another
    /// identity. Whitespace and line breaks pasted around a token are trimmed; anything else is kept as it is and
    /// the server decides. <paramref name="savedLogin"/> is read only when it is needed.
    /// </summary>
    /// <exception cref="CliFailure">Bad URL (<see cref="ExitCodes.Usage"/>), no token or a token with a line
    /// break or NUL inside (<see cref="ExitCodes.NoToken"/>).</exception>
    public static Connection Resolve(
        string? tokenOption, string? urlOption, IReadOnlyDictionary<string, string> environment, Func<SavedLogin?> savedLogin)
    {
        ArgumentNullException.ThrowIfNull(savedLogin);
        SavedLogin? saved = null;
        var savedRead = false;
        SavedLogin? Saved()
        {
            if (!savedRead)
            {
                saved = savedLogin();
                savedRead = true;
            }

            return saved;
        }

        var (baseUrl, urlSource) = ResolveUrl(urlOption, environment, Saved);

        string token;
        TokenSource tokenSource;
        if (tokenOption is not null)
        {
            (token, tokenSource) = (tokenOption.Trim(), TokenSource.Flag);
        }
        else if (environment.GetValueOrDefault(TokenVariable) is { } fromEnvironment)
        {
            (token, tokenSource) = (fromEnvironment.Trim(), TokenSource.Environment);
        }
        else if (Saved() is { } login)
        {
            // A saved token is for its server only: --url or PFNSTUDIO_URL elsewhere must not carry it there.
            if (!SameServer(login.Url, baseUrl))
            {
                throw new CliFailure(ExitCodes.NoToken,
                    $"no token for {Text(baseUrl)}: the saved login is for {login.Url}; run 'pfnstudio auth login --url {Text(baseUrl)}', or set PFNSTUDIO_TOKEN");
            }

            (token, tokenSource) = (login.Token.Trim(), TokenSource.ConfigFile);
        }
        else
        {
            (token, tokenSource) = (string.Empty, TokenSource.Environment);
        }

        return new Connection(baseUrl, urlSource, CheckToken(token), tokenSource);
    }

    /// <summary>A connection to <paramref name="baseUrl"/> with <paramref name="token"/> as it is (no checks): <c>auth login</c> and <c>auth logout</c>.</summary>
    public static Connection Create(Uri baseUrl, string urlSource, string token, TokenSource tokenSource) =>
        new(baseUrl, urlSource, token, tokenSource);

    /// <summary>
    /// A token as it will be sent, trimmed.
    /// </summary>
    /// <exception cref="CliFailure">Empty, or with a line break or NUL inside (<see cref="ExitCodes.NoToken"/>).</exception>
    public static string CheckToken(string token)
    {
        token = token.Trim();
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

        return token;
    }

    /// <summary>The URL alone: <c>--url</c>, else <c>PFNSTUDIO_URL</c>, else the saved login's, else the default; and which it was.</summary>
    public static (Uri Url, string Source) ResolveUrl(string? urlOption, IReadOnlyDictionary<string, string> environment, Func<SavedLogin?> savedLogin)
    {
        ArgumentNullException.ThrowIfNull(savedLogin);
        var (text, source) = !string.IsNullOrWhiteSpace(urlOption)
            ? (urlOption.Trim(), "--url")
            : environment.GetValueOrDefault(UrlVariable) is { } fromEnvironment && !string.IsNullOrWhiteSpace(fromEnvironment)
                ? (fromEnvironment.Trim(), UrlVariable)
                : savedLogin() is { } saved
                    ? (saved.Url, "the config file")
                    : (DefaultUrl, "the default URL");
        return (ParseUrl(text, source), source);
    }

    /// <summary>A saved login's URL as a base URL.</summary>
    /// <exception cref="CliFailure">Not an http(s) URL (<see cref="ExitCodes.Usage"/>).</exception>
    public static Uri SavedUrl(SavedLogin login)
    {
        ArgumentNullException.ThrowIfNull(login);
        return ParseUrl(login.Url, "the config file's url");
    }

    /// <summary>The base URL as the user would type it, without a trailing slash.</summary>
    public static string Text(Uri baseUrl) => baseUrl.AbsoluteUri.TrimEnd('/');

    private static bool SameServer(string savedUrl, Uri baseUrl) =>
        Uri.TryCreate(savedUrl.TrimEnd('/') + "/", UriKind.Absolute, out var saved)
        && string.Equals(saved.AbsoluteUri, baseUrl.AbsoluteUri, StringComparison.Ordinal);

    private static Uri ParseUrl(string text, string source)
    {
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
