namespace PfnStudio.Cli;

/// <summary>
/// Everything a command touches outside itself: the HTTP client, the standard streams, the environment and the
/// clock. <see cref="EntryPoint"/> builds one from the process; tests build one in memory and run the CLI
/// in-process against a test host.
/// </summary>
public sealed class CliContext
{
    /// <summary>
    /// Sends every API request. Requests use absolute URIs built from <c>--url</c>/<c>PFNSTUDIO_URL</c>, so its
    /// <see cref="HttpClient.BaseAddress"/> is ignored, and no <c>Authorization</c> header may be set on it: the
    /// CLI adds the token to each request itself.
    /// </summary>
    public required HttpClient Http { get; init; }

    /// <summary>Standard output: results (tables, or JSON with <c>--json</c>).</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Standard error: one line per error or warning.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Standard input, read by <c>predict --input -</c> and by <c>auth login</c> when it is not a terminal.</summary>
    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>True when standard input is a terminal: <c>auth login</c> then prompts instead of reading it.</summary>
    public bool InputIsTerminal { get; init; }

    /// <summary>
    /// Reads one line from the terminal without echoing it (the token at <c>auth login</c>'s prompt); null at end
    /// of input. Used only when <see cref="InputIsTerminal"/>.
    /// </summary>
    public Func<string?>? ReadSecret { get; init; }

    /// <summary>
    /// Environment variables by name (<c>PFNSTUDIO_TOKEN</c>, <c>PFNSTUDIO_URL</c>, and <c>XDG_CONFIG_HOME</c>,
    /// <c>HOME</c> or <c>APPDATA</c> for the config file); a missing name is an unset variable. Compared with ordinal, case-sensitive names, as on Linux.
    /// </summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>The clock the expiry warning compares the server's <c>PfnStudio-Token-Expires</c> header with.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The folder relative file paths (<c>push prior FILE</c>, <c>--input FILE</c>) are resolved from.</summary>
    public string WorkingDirectory { get; init; } = System.Environment.CurrentDirectory;
}
