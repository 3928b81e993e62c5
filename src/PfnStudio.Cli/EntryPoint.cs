using System.Collections;
using System.Reflection;
using System.Text;

namespace PfnStudio.Cli;

/// <summary>The process entry point: builds a <see cref="CliContext"/> from the real console, environment and network.</summary>
public static class EntryPoint
{
    /// <summary>Runs <c>pfnstudio</c> with the process's arguments and returns its exit code.</summary>
    public static async Task<int> Main(string[] args)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(15),
            // A redirect is reported, not followed (see ApiClient): the token is only for the URL the user chose.
            AllowAutoRedirect = false,
            // Header values are otherwise limited to ASCII: a token pasted with a stray non-ASCII character is
            // sent as it is (UTF-8) and the server refuses it with its own reason.
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        };
        // The CLI's own deadline (--timeout) covers headers and body; the client's would stop at the headers.
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var version = typeof(EntryPoint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        http.DefaultRequestHeaders.UserAgent.ParseAdd($"pfnstudio-cli/{version.Split('+')[0]}");

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            environment[(string)variable.Key] = (string?)variable.Value ?? string.Empty;
        }

        return await PfnStudioCli.RunAsync(args, new CliContext
        {
            Http = http,
            Out = Console.Out,
            Error = Console.Error,
            In = Console.In,
            InputIsTerminal = !Console.IsInputRedirected,
            ReadSecret = ReadWithoutEcho,
            Environment = environment,
            Time = TimeProvider.System,
        });
    }

    // A line typed at the terminal, not echoed (the token at auth login's prompt). Ctrl+D on an empty line is end of input.
    private static string? ReadWithoutEcho()
    {
        var line = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    return line.ToString();
                case ConsoleKey.Backspace:
                    if (line.Length > 0)
                    {
                        line.Length--;
                    }

                    break;
                case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control) && line.Length == 0:
                    return null;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        line.Append(key.KeyChar);
                    }

                    break;
            }
        }
    }
}
