using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using PfnStudio.Cli.Commands;
using PfnStudio.Cli.Output;

namespace PfnStudio.Cli;

/// <summary>
/// The <c>pfnstudio</c> command line: the command tree (System.CommandLine), its global options and the one
/// place where failures become a line on standard error and an exit code.
/// </summary>
public static class PfnStudioCli
{
    /// <summary>
    /// Parses <paramref name="args"/> and runs the command against <paramref name="context"/>.
    /// Returns the exit code (<see cref="ExitCodes"/>); never throws for a failure it can describe.
    /// </summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var root = CreateRootCommand(context);
        var parseResult = root.Parse(args);

        // Usage errors get their own exit code (System.CommandLine's default is 1, the same as a server error),
        // and one line, like every other failure.
        if (parseResult.Action is ParseErrorAction)
        {
            await context.Error.WriteLineAsync(TerminalText.Safe(UsageErrors.Describe(parseResult, CommandPath(parseResult.CommandResult))));
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = context.Out,
            Error = context.Error,
            // Failures the CLI can describe are handled in Invocation.Bind; anything else is a bug and shows its stack.
            EnableDefaultExceptionHandler = true,
        };
        return await parseResult.InvokeAsync(invocation, cancellationToken);
    }

    /// <summary>Builds the command tree bound to <paramref name="context"/>.</summary>
    internal static Command CreateRootCommand(CliContext context)
    {
        var global = new GlobalOptions();
        // A named Command rather than RootCommand, whose name is the host process's file name (a test runner's,
        // or the tool shim's): usage lines always say "pfnstudio".
        var help = new HelpOption();
        var root = new Command("pfnstudio",
            "pfnstudio: push priors and model specs to a PFN Studio project, call Predict and list runs, "
            + "authenticated with a personal access token.")
        {
            help,
            new VersionOption(),
            global.Token,
            global.Url,
            global.Json,
            global.Timeout,
            AuthCommands.Create(context, global),
            WhoamiCommand.Create(context, global),
            TokensCommands.Create(context, global),
            ListCommands.CreateProjects(context, global),
            PushCommands.Create(context, global),
            ListCommands.CreatePriors(context, global),
            ListCommands.CreateModels(context, global),
            ListCommands.CreateRuns(context, global),
            PredictCommand.Create(context, global),
            CompletionCommands.Create(context),
            CompletionCommands.CreateComplete(context),
        };

        help.Action = new HelpWithExamplesAction((HelpAction)help.Action!);
        return HelpWithExamplesAction.WithExamples(
            root,
            "pfnstudio auth login --url http://localhost:5000",
            "pfnstudio whoami",
            "pfnstudio projects list",
            "pfnstudio push prior ./my-prior.py --project pfnstudio-demo",
            "pfnstudio push model ./my-model.yaml --project pfnstudio-demo",
            "pfnstudio runs list --project pfnstudio-demo");
    }

    internal static string CommandPath(CommandResult result)
    {
        var names = new Stack<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult command)
            {
                names.Push(command.Command.Name);
            }
        }

        return string.Join(' ', names);
    }
}
