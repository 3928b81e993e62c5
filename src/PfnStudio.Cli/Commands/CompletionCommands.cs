using System.CommandLine;

namespace PfnStudio.Cli.Commands;

/// <summary>
/// <c>pfnstudio completion bash|zsh|fish</c> prints a script that asks the CLI itself what can follow
/// (<c>pfnstudio __complete "LINE"</c>, System.CommandLine's completions for the command line up to the cursor),
/// so the scripts never go stale when a command or option is added.
/// </summary>
internal static class CompletionCommands
{
    /// <summary>The hidden command the scripts call.</summary>
    public const string CompleteCommandName = "__complete";

    private const string Bash = """
        # bash completion for pfnstudio. Load it with:  source <(pfnstudio completion bash)
        # or save it:  pfnstudio completion bash > ~/.local/share/bash-completion/completions/pfnstudio
        _pfnstudio_complete() {
            local IFS=' '
            local line="${COMP_WORDS[*]:0:$((COMP_CWORD + 1))}"
            local IFS=$'\n'
            COMPREPLY=($("${COMP_WORDS[0]}" __complete "$line" 2>/dev/null))
        }
        complete -o default -F _pfnstudio_complete pfnstudio
        """;

    private const string Zsh = """
        #compdef pfnstudio
        # zsh completion for pfnstudio. Load it (after compinit) with:  source <(pfnstudio completion zsh)
        # or save it as _pfnstudio in a folder of $fpath.
        _pfnstudio() {
            local -a completions
            completions=("${(@f)$("${words[1]}" __complete "${(j: :)${(@)words[1,CURRENT]}}" 2>/dev/null)}")
            if (( ${#completions} )) && [[ -n "${completions[1]}" ]]; then
                compadd -- "${completions[@]}"
            else
                _files
            fi
        }
        compdef _pfnstudio pfnstudio
        """;

    private const string Fish = """
        # fish completion for pfnstudio. Load it with:  pfnstudio completion fish | source
        # or save it:  pfnstudio completion fish > ~/.config/fish/completions/pfnstudio.fish
        function __pfnstudio_complete
            set -l tokens (commandline -opc)
            set -l current (commandline -ct)
            set -l results ($tokens[1] __complete (string join ' ' -- $tokens "$current") 2>/dev/null)
            if test (count $results) -gt 0
                printf '%s\n' $results
            else
                __fish_complete_path "$current"
            end
        end
        complete -c pfnstudio -f -a '(__pfnstudio_complete)'
        """;

    public static Command Create(CliContext context)
    {
        var shell = new Argument<string>("SHELL") { Description = "bash, zsh or fish." };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var command = HelpWithExamplesAction.WithExamples(
            new Command("completion", "Print the shell completion script for bash, zsh or fish.") { shell },
            "source <(pfnstudio completion bash)",
            "source <(pfnstudio completion zsh)",
            "pfnstudio completion fish | source");
        command.SetAction(async (parseResult, _) =>
        {
            await context.Out.WriteLineAsync(parseResult.GetRequiredValue(shell) switch
            {
                "bash" => Bash,
                "zsh" => Zsh,
                _ => Fish,
            });
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// The hidden <c>__complete "LINE"</c>: LINE is the command line up to the cursor, program name first; prints
    /// one completion per line for the word at its end (an empty word after a trailing space).
    /// </summary>
    public static Command CreateComplete(CliContext context)
    {
        var line = new Argument<string>("LINE") { Arity = ArgumentArity.ZeroOrOne };
        var command = new Command(CompleteCommandName, "Completions for a command line (used by the completion scripts).") { line };
        command.Hidden = true;
        command.SetAction(async (parseResult, _) =>
        {
            var text = parseResult.GetValue(line) ?? string.Empty;
            // Drop the program's own word (pfnstudio, ./tools/pfnstudio, …): the tree's root is the program.
            var start = text.TrimStart();
            var space = start.IndexOf(' ', StringComparison.Ordinal);
            var rest = space < 0 ? string.Empty : start[(space + 1)..];
            var root = parseResult.RootCommandResult.Command;
            var completions = root.Parse(rest).GetCompletions(rest.Length);
            foreach (var item in completions)
            {
                // Not the hidden command, nor the DOS-style help aliases (/?, /h, -?), which only add noise.
                if (item.Label.StartsWith(CompleteCommandName, StringComparison.Ordinal) || item.Label.StartsWith('/') || item.Label == "-?")
                {
                    continue;
                }

                await context.Out.WriteLineAsync(item.InsertText ?? item.Label);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
