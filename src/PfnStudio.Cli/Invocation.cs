using System.CommandLine;
using System.Text.Json.Serialization.Metadata;
using PfnStudio.Cli.Configuration;
using PfnStudio.Cli.Output;

namespace PfnStudio.Cli;

/// <summary>
/// One run of one command: the resolved connection, the API client and the output mode. Commands get it from
/// <c>Bind</c>, which also turns every <see cref="CliFailure"/> into one line on standard error.
/// </summary>
internal sealed class Invocation
{
    private Invocation(CliContext context, Connection connection, bool json, TimeSpan timeout, ConfigFile? config, TokenRedactor redactor)
    {
        Redactor = redactor;
        Context = context;
        Connection = connection;
        Json = json;
        Config = config;
        Api = new ApiClient(context, connection, timeout);
    }

    /// <summary>Streams (token-redacting, control characters escaped), environment, clock.</summary>
    public CliContext Context { get; }

    /// <summary>URL and token.</summary>
    public Connection Connection { get; }

    /// <summary>Sends requests.</summary>
    public ApiClient Api { get; }

    /// <summary>True with <c>--json</c>.</summary>
    public bool Json { get; }

    /// <summary>Hides the token in what is printed.</summary>
    public TokenRedactor Redactor { get; }

    /// <summary>The config file, or null when the environment names no home.</summary>
    public ConfigFile? Config { get; }

    /// <summary>Standard output.</summary>
    public TextWriter Out => Context.Out;

    /// <summary>
    /// Sets <paramref name="command"/>'s action: resolve token and URL (no token: no request), run
    /// <paramref name="body"/>, map a <see cref="CliFailure"/> to its line and exit code.
    /// </summary>
    public static void Bind(Command command, CliContext context, GlobalOptions global, Func<Invocation, ParseResult, CancellationToken, Task> body) =>
        Bind(command, context, global, (parseResult, config) =>
        {
            // Given at all, --token wins, even when empty: an unset variable in a script must not fall back
            // to another identity from the environment or the file.
            var tokenOption = parseResult.GetResult(global.Token) is null ? null : parseResult.GetValue(global.Token) ?? string.Empty;
            return Connection.Resolve(tokenOption, parseResult.GetValue(global.Url), context.Environment, () => config?.Read());
        }, body);

    /// <summary>
    /// As <see cref="Bind(Command, CliContext, GlobalOptions, Func{Invocation, ParseResult, CancellationToken, Task})"/>
    /// with the connection made by <paramref name="connect"/> (<c>auth login</c> does not need a token yet).
    /// </summary>
    public static void Bind(
        Command command, CliContext context, GlobalOptions global, Func<ParseResult, ConfigFile?, Connection> connect,
        Func<Invocation, ParseResult, CancellationToken, Task> body)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var redactor = TokenRedactor.None;
            var error = new SafeWriter(context.Error, redactor);
            try
            {
                var config = ConfigFile.Locate(context.Environment);
                var connection = connect(parseResult, config);
                redactor = new TokenRedactor(connection.Token);
                error = new SafeWriter(context.Error, redactor);
                var safe = new CliContext
                {
                    Http = context.Http,
                    Out = new SafeWriter(context.Out, redactor),
                    Error = error,
                    In = context.In,
                    InputIsTerminal = context.InputIsTerminal,
                    ReadSecret = context.ReadSecret,
                    Environment = context.Environment,
                    Time = context.Time,
                    WorkingDirectory = context.WorkingDirectory,
                };
                var timeout = TimeSpan.FromSeconds(parseResult.GetValue(global.Timeout));
                await body(new Invocation(safe, connection, parseResult.GetValue(global.Json), timeout, config, redactor), parseResult, cancellationToken);
                return ExitCodes.Success;
            }
            catch (CliFailure failure)
            {
                await error.WriteLineAsync(ApiClient.OneLine(failure.Message));
                return failure.ExitCode;
            }
        });
    }

    /// <summary>
    /// Writes the server's JSON body once it has the shape <paramref name="type"/> describes (HTML, <c>null</c> or
    /// a wrong type is a failure here too, never exit 0), re-encoded: the same values and number text, with
    /// control and reordering characters in strings escaped as <c>\uXXXX</c>.
    /// </summary>
    public async Task WriteJsonAsync<T>(ApiResponse response, JsonTypeInfo<T> type)
    {
        ApiJson.Read(response, type);
        await Out.WriteLineAsync(JsonText.Reencode(response.Body, Redactor));
    }

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
}
