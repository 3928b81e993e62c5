using System.CommandLine;

namespace PfnStudio.Cli;

/// <summary>The options every command takes (recursive on the root command).</summary>
internal sealed class GlobalOptions
{
    /// <summary><c>--token</c>: the personal access token; wins over <c>PFNSTUDIO_TOKEN</c>.</summary>
    public Option<string> Token { get; } = new("--token")
    {
        Description = "Personal access token (pfnstudio_pat_…). Wins over PFNSTUDIO_TOKEN. Prefer the variable: "
            + "a flag is visible in the process list and shell history.",
        HelpName = "pat",
        Recursive = true,
    };

    /// <summary><c>--url</c>: the server; else <c>PFNSTUDIO_URL</c>, else <c>http://localhost:5000</c>.</summary>
    public Option<string> Url { get; } = new("--url")
    {
        Description = $"Server base URL. Default: PFNSTUDIO_URL, else {Connection.DefaultUrl}.",
        HelpName = "url",
        Recursive = true,
    };

    /// <summary><c>--json</c>: print the server's JSON body instead of a table.</summary>
    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the server's JSON answer instead of a table.",
        Recursive = true,
    };
}
