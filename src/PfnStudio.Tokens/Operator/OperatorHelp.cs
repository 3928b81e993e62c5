using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Runtime.CompilerServices;

namespace PfnStudio.Tokens.Operator;

/// <summary>
/// <c>--help</c> of the operator commands: System.CommandLine's help, then the command's examples (when it has any),
/// so the examples show under the command's own help and not in its parent's command list.
/// </summary>
internal sealed class OperatorHelp(HelpAction inner) : SynchronousCommandLineAction
{
    private static readonly ConditionalWeakTable<Command, string[]> Examples = [];

    /// <summary>Attaches example command lines to <paramref name="command"/>'s help.</summary>
    public static Command WithExamples(Command command, params string[] examples)
    {
        Examples.AddOrUpdate(command, examples);
        return command;
    }

    /// <summary>Replaces the help action of <paramref name="root"/>'s help option with one that adds the examples.</summary>
    public static RootCommand Install(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        if (help.Action is HelpAction action)
        {
            help.Action = new OperatorHelp(action);
        }

        return root;
    }

    /// <summary>As the framework's help: <c>tokens issue --help</c> is help, not a missing <c>--user</c>.</summary>
    public override bool ClearsParseErrors => inner.ClearsParseErrors;

    /// <inheritdoc />
    public override int Invoke(ParseResult parseResult)
    {
        var result = inner.Invoke(parseResult);
        if (Examples.TryGetValue(parseResult.CommandResult.Command, out var examples))
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Examples:");
            foreach (var example in examples)
            {
                output.WriteLine($"  {example}");
            }

            output.WriteLine();
        }

        return result;
    }
}
