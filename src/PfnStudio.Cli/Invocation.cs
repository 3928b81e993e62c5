using System.CommandLine;

namespace PfnStudio.Cli;

/// <summary>
/// One run of one command: the resolved connection, the API client and the output mode. Commands get it from
/// <see cref="Bind"/>, which also turns every <see cref="CliFailure"/> into one line on standard error.
/// </summary>
internal sealed class Invocation
{
    private Invocation(CliContext context, Connection connection, bool json)
    {
        Context = context;
        Connection = connection;
        Json = json;
        Api = new ApiClient(context, connection);
    }

    /// <summary>Streams, environment, clock.</summary>
    public CliContext Context { get; }

    /// <summary>URL and token.</summary>
    public Connection Connection { get; }

    /// <summary>Sends requests.</summary>
    public ApiClient Api { get; }

    /// <summary>True with <c>--json</c>.</summary>
    public bool Json { get; }

    /// <summary>Standard output.</summary>
    public TextWriter Out => Context.Out;

    /// <summary>
    /// Sets <paramref name="command"/>'s action: resolve token and URL (no token: no request), run
    /// <paramref name="body"/>, map a <see cref="CliFailure"/> to its line and exit code.
    /// </summary>
    public static void Bind(Command command, CliContext context, GlobalOptions global, Func<Invocation, ParseResult, CancellationToken, Task> body)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            string? token = null;
            try
            {
                // Given at all, --token wins, even when empty: an unset variable in a script must not fall back
                // to another identity from the environment.
                var tokenOption = parseResult.GetResult(global.Token) is null ? null : parseResult.GetValue(global.Token) ?? string.Empty;
                var connection = Connection.Resolve(tokenOption, parseResult.GetValue(global.Url), context.Environment);
                token = connection.Token;
                await body(new Invocation(context, connection, parseResult.GetValue(global.Json)), parseResult, cancellationToken);
                return ExitCodes.Success;
            }
            catch (CliFailure failure)
            {
                await context.Error.WriteLineAsync(Redact(failure.Message, token));
                return failure.ExitCode;
            }
        });
    }

    /// <summary>Writes the server's JSON body as it is, one document per line set.</summary>
    public async Task WriteJsonAsync(ApiResponse response) => await Out.WriteLineAsync(response.Body.Trim());

    /// <summary>
    /// Reads a local file named on the command line, relative to the working directory.
    /// </summary>
    /// <exception cref="CliFailure">The file cannot be read (<see cref="ExitCodes.Usage"/>).</exception>
    public async Task<byte[]> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path, Context.WorkingDirectory);
        try
        {
            return await File.ReadAllBytesAsync(full, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliFailure(ExitCodes.Usage, $"cannot read {path}: {ApiClient.OneLine(ex.Message)}");
        }
    }

    // Belt and braces: no message the CLI prints carries the token, even if a server or the OS echoed it.
    private static string Redact(string message, string? token) =>
        token is { Length: >= 8 } ? message.Replace(token, "[token]", StringComparison.Ordinal) : message;
}
