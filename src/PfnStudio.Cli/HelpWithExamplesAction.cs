using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Runtime.CompilerServices;

namespace PfnStudio.Cli;

/// <summary>
/// <c>--help</c>: System.CommandLine's help, then the command's examples and the exit code table.
/// </summary>
internal sealed class HelpWithExamplesAction(HelpAction inner) : SynchronousCommandLineAction
{
    private static readonly ConditionalWeakTable<Command, string[]> Examples = [];

    /// <summary>Attaches example lines (full command lines) to <paramref name="command"/>'s help.</summary>
    public static TCommand WithExamples<TCommand>(TCommand command, params string[] examples)
        where TCommand : Command
    {
        Examples.AddOrUpdate(command, examples);
        return command;
    }

    /// <inheritdoc />
    public override int Invoke(ParseResult parseResult)
    {
        var result = inner.Invoke(parseResult);
        var output = parseResult.InvocationConfiguration.Output;
        if (Examples.TryGetValue(parseResult.CommandResult.Command, out var examples))
        {
            output.WriteLine("Examples:");
            foreach (var example in examples)
            {
                output.WriteLine($"  {example}");
            }

            output.WriteLine();
        }

        output.WriteLine("Exit codes:");
        foreach (var (code, meaning) in ExitCodes.Table)
        {
            output.WriteLine($"  {code,2}  {meaning}");
        }

        output.WriteLine();
        return result;
    }
}
