using System.CommandLine;

// "Operator" is a keyword only in Visual Basic; this application is no library for other languages.
[assembly: System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716:Identifiers should not match keywords",
    Scope = "namespace", Target = "~N:PfnStudio.Tokens.Operator", Justification = "The host's operator command line; no VB consumers.")]

namespace PfnStudio.Tokens.Operator;

/// <summary>
/// The host binary's operator commands (<c>users</c>, <c>orgs</c>, <c>projects</c>, <c>tokens</c>), parsed with
/// System.CommandLine and run against the built host's services instead of serving: the same configuration
/// and database as the server. Exit codes: 0 done, 1 refused (unknown name, invalid value; nothing changed),
/// 2 bad arguments. Every refusal is one line on standard error. <c>tokens issue</c> writes the plaintext token
/// and nothing else to standard output.
/// </summary>
internal static class OperatorCommandLine
{
    /// <summary>Exit code of a command that was done.</summary>
    public const int Done = 0;

    /// <summary>Exit code of a command refused for its values (unknown user, invalid name…).</summary>
    public const int Refused = 1;

    /// <summary>Exit code of a command line that does not parse.</summary>
    public const int BadArguments = 2;

    private static readonly string[] HelpWords = ["help", "--help", "-h", "-?"];

    /// <summary>
    /// Whether <paramref name="args"/> name a command rather than host settings: the first argument is a word,
    /// not an option (<c>--urls …</c> and other settings start with a dash), or asks for help.
    /// </summary>
    public static bool IsCommand(IReadOnlyList<string> args) =>
        args.Count > 0 && (!args[0].StartsWith('-') || HelpWords.Contains(args[0], StringComparer.Ordinal));

    /// <summary>
    /// Answers what needs neither the host nor the database: help (<c>help</c>, <c>--help</c>, <c>-h</c>, <c>-?</c>,
    /// also after a command, as in <c>tokens issue --help</c> or <c>help tokens issue</c>) and a command line that
    /// does not parse (one line on standard error, exit 2). Returns <see langword="null"/> when the host is needed:
    /// to serve, or to run a command that parsed.
    /// </summary>
    public static int? AnswerWithoutHost(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (!IsCommand(args))
        {
            return null;
        }

        // "help tokens issue" is "tokens issue --help".
        if (args[0] == "help")
        {
            args = [.. args.Skip(1), "--help"];
        }

        var root = Build(new OperatorConsole(EmptyServices.Instance, TextReader.Null, stdout, stderr));
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            stderr.WriteLine(OneLine(parsed));
            return BadArguments;
        }

        if (!args.Any(a => HelpWords.Skip(1).Contains(a, StringComparer.Ordinal)))
        {
            return null;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    /// <summary>
    /// When <paramref name="args"/> name a command, points <see cref="Console.Out"/> at standard error (so any
    /// console log sink, however configured, writes there) and keeps only warnings and errors: standard output
    /// then carries only the command's own answer.
    /// </summary>
    public static WebApplicationBuilder AddOperatorCommandLine(this WebApplicationBuilder builder, string[] args)
    {
        if (IsCommand(args))
        {
            // The process's real standard output, kept for the command's answer while Console.Out points at stderr.
            builder.Services.AddSingleton(new CommandOutput(Console.Out));
            Console.SetOut(Console.Error);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Serilog:MinimumLevel:Default"] = "Warning",
            });
        }

        return builder;
    }

    /// <summary>Runs the command in <paramref name="args"/> with the console's streams; returns the exit code.</summary>
    public static async Task<int> RunOperatorCommandAsync(this WebApplication app, string[] args)
    {
        var stdout = app.Services.GetService<CommandOutput>()?.Writer ?? Console.Out;
        var code = await RunAsync(app.Services, args, Console.In, stdout, Console.Error, app.Lifetime.ApplicationStopping);
        await stdout.FlushAsync();
        return code;
    }

    /// <summary>Parses and runs one command against <paramref name="services"/>.</summary>
    /// <param name="services">The host's root services (a scope is created per command).</param>
    /// <param name="args">The command line, e.g. <c>tokens issue --user a@example.com --name ci</c>.</param>
    /// <param name="stdin">Where <c>--password-stdin</c> reads the password (first line).</param>
    /// <param name="stdout">The command's answer.</param>
    /// <param name="stderr">One line per refusal.</param>
    /// <param name="cancellationToken">Stops the command.</param>
    /// <returns><see cref="Done"/>, <see cref="Refused"/> or <see cref="BadArguments"/>.</returns>
    public static async Task<int> RunAsync(
        IServiceProvider services, string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var root = Build(new OperatorConsole(services, stdin, stdout, stderr));
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await stderr.WriteLineAsync(OneLine(parsed));
            return BadArguments;
        }

        try
        {
            return await parsed.InvokeAsync(
                new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false },
                cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await stderr.WriteLineAsync($"error: {ex.GetBaseException().Message}");
            return Refused;
        }
    }

    // An unknown word explains more than the "required command" error it causes; either way one line.
    private static string OneLine(ParseResult parsed)
    {
        var error = parsed.UnmatchedTokens.Count > 0
            ? $"Unrecognized command or argument '{parsed.UnmatchedTokens[0]}'. Run with --help for the commands."
            : parsed.Errors[0].Message;
        return string.Join(' ', error.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
    }

    private static RootCommand Build(OperatorConsole console) =>
        OperatorHelp.Install(new("PfnStudio.Tokens: serve (no command) or run an operator command against the configured database.")
        {
            UsersCommands.Create(console),
            OrganizationsCommands.Create(console),
            ProjectsCommands.Create(console),
            TokensCommands.Create(console),
        });
}

/// <summary>The services of a command line that is only parsed or helped, never run.</summary>
file sealed class EmptyServices : IServiceProvider
{
    public static readonly EmptyServices Instance = new();

    public object? GetService(Type serviceType) => null;
}

/// <summary>The process's standard output as it was before <see cref="Console.Out"/> was pointed at standard error.</summary>
internal sealed record CommandOutput(TextWriter Writer);
