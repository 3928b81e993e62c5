namespace PfnStudio.Cli;

/// <summary>
/// The process exit codes of <c>pfnstudio</c>, one per kind of failure, so scripts and CI jobs can tell a
/// refused token from an unreachable server. Listed in <c>pfnstudio --help</c> and in the README.
/// </summary>
public static class ExitCodes
{
    /// <summary>The command did what it says.</summary>
    public const int Success = 0;

    /// <summary>Anything else: a server error (5xx) or an answer the CLI does not understand (not JSON, the wrong shape, over 8 MiB, an unknown charset).</summary>
    public const int Failure = 1;

    /// <summary>
    /// Bad command line: unknown command or option, missing argument, bad URL (including one the server redirects
    /// away from, e.g. http:// to https://), unreadable local file.
    /// </summary>
    public const int Usage = 2;

    /// <summary>No usable token: neither <c>--token</c>, <c>PFNSTUDIO_TOKEN</c> nor the saved login gave one. No request was sent.</summary>
    public const int NoToken = 3;

    /// <summary>401: the server refused the token (unknown, malformed, revoked or expired).</summary>
    public const int Unauthorized = 4;

    /// <summary>403: the token is valid but may not do this.</summary>
    public const int Forbidden = 5;

    /// <summary>404: the project (or thing) does not exist, or is in an organization the token's owner is not in.</summary>
    public const int NotFound = 6;

    /// <summary>400 or 413: the server refused the request; its validation message is printed.</summary>
    public const int Invalid = 7;

    /// <summary>The server could not be reached (connection refused, DNS failure), or its answer did not arrive whole within <c>--timeout</c>.</summary>
    public const int Unreachable = 8;

    /// <summary>429 or 503: the server is busy or rate limiting; retry later.</summary>
    public const int Busy = 9;

    /// <summary>The table printed by <c>--help</c> and reproduced in the README.</summary>
    internal static readonly (int Code, string Meaning)[] Table =
    [
        (Success, "success"),
        (Failure, "server error (5xx), or an answer that is not the expected JSON or is over 8 MiB"),
        (Usage, "bad command line, bad or redirected --url, or a local file that cannot be read"),
        (NoToken, "no token: none from --token, PFNSTUDIO_TOKEN or auth login (nothing was sent)"),
        (Unauthorized, "401: token refused (unknown, malformed, revoked or expired)"),
        (Forbidden, "403: the token may not do this"),
        (NotFound, "404: project not found, or not in one of your organizations"),
        (Invalid, "400/413: the server refused the input (its message is printed)"),
        (Unreachable, "the server could not be reached, or did not answer within --timeout"),
        (Busy, "429/503: server busy or rate limiting; retry later"),
    ];
}
