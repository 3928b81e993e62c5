using System.CommandLine;

namespace PfnStudio.Cli;

/// <summary>The options every command takes (recursive on the root command).</summary>
internal sealed class GlobalOptions
{
    /// <summary><c>--token</c>: the personal access token; wins over <c>PFNSTUDIO_TOKEN</c>.</summary>
    public Option<string> Token { get; } = new("--token")
    {
        Description = "Personal access token (pfnstudio_pat_…). Wins over PFNSTUDIO_TOKEN and the token saved by "
            + "'auth login'. Prefer those: a flag is visible in the process list and shell history.",
        HelpName = "pat",
        Recursive = true,
    };

    /// <summary><c>--url</c>: the server; else <c>PFNSTUDIO_URL</c>, else <c>http://localhost:5000</c>.</summary>
    public Option<string> Url { get; } = new("--url")
    {
        Description = $"Server base URL. Default: PFNSTUDIO_URL, else the URL saved by 'auth login', else {Connection.DefaultUrl}.",
        HelpName = "url",
        Recursive = true,
    };

    /// <summary><c>--timeout</c>: seconds for one request, headers and body together.</summary>
    public Option<int> Timeout { get; } = CreateTimeout();

    /// <summary><c>--json</c>: print the server's JSON body instead of a table.</summary>
    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the server's JSON answer instead of a table.",
        Recursive = true,
    };

    private static Option<int> CreateTimeout()
    {
        var option = new Option<int>("--timeout")
        {
            Description = "Seconds to wait for one answer, headers and body together (1 to 3600; default 100).",
            HelpName = "seconds",
            Recursive = true,
            DefaultValueFactory = _ => (int)ApiClient.DefaultTimeout.TotalSeconds,
        };
        option.Validators.Add(Ranges.Between(option, 1, 3600));
        return option;
    }
}
