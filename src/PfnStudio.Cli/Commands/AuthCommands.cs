using System.CommandLine;
using System.Text.Json;
using PfnStudio.Cli.Configuration;
using PfnStudio.Cli.Output;

namespace PfnStudio.Cli.Commands;

/// <summary>
/// <c>pfnstudio auth login|status|logout</c>: keep a token in the config file (0600, see <see cref="ConfigFile"/>)
/// instead of the environment or the command line (shell history). A token is saved only after the server
/// accepted it (<c>GET /api/v1/me</c>), with the URL it was checked against; it is sent only to that URL.
/// </summary>
internal static class AuthCommands
{
    // More than any token: standard input is read no further (a file or /dev/zero piped in by mistake).
    private const int MaxTokenInput = 4096;

    public static Command Create(CliContext context, GlobalOptions global) =>
        HelpWithExamplesAction.WithExamples(
            new Command("auth", "Log in (save a token in the config file), show where the token comes from, log out.")
            {
                CreateLogin(context, global),
                CreateStatus(context, global),
                CreateLogout(context, global),
            },
            "pfnstudio auth login --url https://studio.example.com",
            "pfnstudio auth status",
            "pfnstudio auth logout");

    private static Command CreateLogin(CliContext context, GlobalOptions global)
    {
        var command = HelpWithExamplesAction.WithExamples(
            new Command("login",
                "Check a token against the server and save it with the URL in the config file ($XDG_CONFIG_HOME/pfnstudio/config.json, "
                + "else ~/.config/pfnstudio/config.json; mode 0600). The token is read from standard input when it is not a terminal, "
                + "else from a prompt that does not echo it."),
            "pfnstudio auth login",
            "pfnstudio auth login --url https://studio.example.com < token.txt",
            "echo \"$PFNSTUDIO_TOKEN\" | pfnstudio auth login");
        Invocation.Bind(command, context, global, (parseResult, config) =>
        {
            if (config is null)
            {
                throw new CliFailure(ExitCodes.Usage, "cannot save a login: set HOME or XDG_CONFIG_HOME (the config file lives there)");
            }

            // The URL as every command resolves it, the file's included (logging in again keeps the server).
            var (url, urlSource) = Connection.ResolveUrl(parseResult.GetValue(global.Url), context.Environment, () => TryRead(config));
            var token = parseResult.GetResult(global.Token) is null
                ? ReadToken(context, url)
                : parseResult.GetValue(global.Token) ?? string.Empty;
            return Connection.Create(url, urlSource, Connection.CheckToken(token), TokenSource.Flag);
        }, async (run, _, cancellationToken) =>
        {
            // Refused (401), unreachable, not a PFN Studio server: the failure line, and nothing is saved.
            var response = await run.Api.SendAsync(HttpMethod.Get, "api/v1/me", null, null, cancellationToken);
            var me = ApiJson.Read(response, ApiJsonContext.Default.MeBody);
            run.Config!.Write(new SavedLogin(run.Connection.BaseUrlText, run.Connection.Token));
            await run.Out.WriteLineAsync(
                $"logged in to {run.Connection.BaseUrlText} as {me.User.Email ?? me.User.Id} with token pfnstudio_pat_{me.Token.Prefix}… ({me.Token.Name}); saved in {run.Config.Path}");
            if (run.Context.Environment.ContainsKey(Connection.TokenVariable))
            {
                await run.Context.Error.WriteLineAsync($"note: {Connection.TokenVariable} is set and wins over the saved token; unset it to use this login");
            }
        });
        return command;
    }

    private static Command CreateStatus(CliContext context, GlobalOptions global)
    {
        var command = HelpWithExamplesAction.WithExamples(
            new Command("status", "Show the server, the user, the token's prefix and where the token comes from (--token, PFNSTUDIO_TOKEN or the config file); never the token."),
            "pfnstudio auth status",
            "pfnstudio auth status --json");
        Invocation.Bind(command, context, global, async (run, _, cancellationToken) =>
        {
            var response = await run.Api.SendAsync(HttpMethod.Get, "api/v1/me", null, null, cancellationToken);
            var me = ApiJson.Read(response, ApiJsonContext.Default.MeBody);
            var source = run.Connection.TokenSource switch
            {
                TokenSource.Flag => "--token",
                TokenSource.Environment => Connection.TokenVariable,
                _ => "the config file " + run.Config!.Path,
            };
            if (run.Json)
            {
                await run.Out.WriteLineAsync(StatusJson(run, me));
                return;
            }

            var table = new Table("FIELD", "VALUE");
            table.Add("server", $"{run.Connection.BaseUrlText} (from {run.Connection.UrlSource})");
            table.Add("user", me.User.Email ?? me.User.Id);
            table.Add("token", $"pfnstudio_pat_{me.Token.Prefix}… ({me.Token.Name})");
            table.Add("source", source);
            table.Add("expires", me.Token.ExpiresAt is { } expiresAt ? Table.Instant(expiresAt) : "never");
            await table.WriteAsync(run.Out);
        });
        return command;
    }

    private static Command CreateLogout(CliContext context, GlobalOptions global)
    {
        var revoke = new Option<bool>("--revoke")
        {
            Description = "Also revoke the saved token on its server (DELETE /api/v1/tokens/{id}), where the server has that API; else revoke it on the API tokens page.",
        };
        var command = HelpWithExamplesAction.WithExamples(
            new Command("logout", "Remove the saved login (the config file); with --revoke, revoke its token first.") { revoke },
            "pfnstudio auth logout",
            "pfnstudio auth logout --revoke");
        Invocation.Bind(command, context, global, (parseResult, config) =>
        {
            if (config is null)
            {
                throw new CliFailure(ExitCodes.Usage, "no config file: neither HOME nor XDG_CONFIG_HOME is set");
            }

            // The saved token goes to its own server only; a broken file is still removed (without --revoke).
            var saved = parseResult.GetValue(revoke) ? config.Read() : TryRead(config);
            return saved is null
                ? Connection.Create(new Uri(Connection.DefaultUrl + "/"), "the default URL", string.Empty, TokenSource.ConfigFile)
                : Connection.Create(Connection.SavedUrl(saved), "the config file", saved.Token, TokenSource.ConfigFile);
        }, async (run, parseResult, cancellationToken) =>
        {
            var config = run.Config!;
            if (!File.Exists(config.Path))
            {
                await run.Out.WriteLineAsync($"not logged in: there is no saved login in {config.Path}");
                await NoteEnvironmentAsync(run);
                return;
            }

            if (parseResult.GetValue(revoke))
            {
                await RevokeAsync(run, cancellationToken);
            }

            config.Delete();
            await run.Out.WriteLineAsync($"logged out of {run.Connection.BaseUrlText}: removed {config.Path}");
            await NoteEnvironmentAsync(run);
        });
        return command;
    }

    // GET /api/v1/tokens finds the saved token's id by its prefix, DELETE revokes it. A server without the token
    // API gets one line pointing at the page, and the logout goes on.
    private static async Task RevokeAsync(Invocation run, CancellationToken cancellationToken)
    {
        var display = run.Connection.DisplayPrefix ?? "the saved token";
        ApiResponse? list;
        try
        {
            list = await run.Api.SendOrMissingAsync(HttpMethod.Get, "api/v1/tokens", cancellationToken);
        }
        catch (CliFailure refused) when (refused.ExitCode == ExitCodes.Unauthorized)
        {
            await run.Context.Error.WriteLineAsync($"not revoked: the server already refuses {display} (401)");
            return;
        }

        var id = list is null ? null : FindId(list, run.Connection.Token);
        if (id is null)
        {
            await run.Context.Error.WriteLineAsync(
                $"revoking needs the token page: this server has no token API; revoke {display} at {run.Connection.IssuePageUrl}");
            return;
        }

        var deleted = await run.Api.SendOrMissingAsync(HttpMethod.Delete, "api/v1/tokens/" + Uri.EscapeDataString(id), cancellationToken);
        if (deleted is null)
        {
            await run.Context.Error.WriteLineAsync(
                $"revoking needs the token page: the server did not revoke it; revoke {display} at {run.Connection.IssuePageUrl}");
            return;
        }

        await run.Out.WriteLineAsync($"revoked {display}");
    }

    // The id of the token whose prefix is the saved token's, in {"items": [{"id", "prefix"}]} or a bare array.
    private static string? FindId(ApiResponse list, string token)
    {
        const string TokenPrefix = "pfnstudio_pat_";
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal) || token.Length < TokenPrefix.Length + 12)
        {
            return null;
        }

        var prefix = token.Substring(TokenPrefix.Length, 12);
        try
        {
            using var document = JsonDocument.Parse(list.Body);
            var root = document.RootElement;
            var items = root.ValueKind == JsonValueKind.Array ? root
                : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("items", out var inner) && inner.ValueKind == JsonValueKind.Array ? inner
                : default;
            if (items.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            foreach (var item in items.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object
                    && item.TryGetProperty("prefix", out var p) && p.ValueKind == JsonValueKind.String
                    && (p.GetString() == prefix || p.GetString() == TokenPrefix + prefix)
                    && item.TryGetProperty("id", out var id))
                {
                    return id.ValueKind switch
                    {
                        JsonValueKind.String => id.GetString(),
                        JsonValueKind.Number => id.GetRawText(),
                        _ => null,
                    };
                }
            }
        }
        catch (JsonException)
        {
            // Not the token API's answer.
        }

        return null;
    }

    private static async Task NoteEnvironmentAsync(Invocation run)
    {
        if (run.Context.Environment.ContainsKey(Connection.TokenVariable))
        {
            await run.Context.Error.WriteLineAsync($"note: {Connection.TokenVariable} is still set; commands keep using it");
        }
    }

    private static SavedLogin? TryRead(ConfigFile config)
    {
        try
        {
            return config.Read();
        }
        catch (CliFailure)
        {
            return null;
        }
    }

    // Standard input when it is not a terminal (a pipe, a file), else a prompt on standard error without echo.
    private static string ReadToken(CliContext context, Uri url)
    {
        if (context.InputIsTerminal && context.ReadSecret is { } readSecret)
        {
            context.Error.Write($"Paste a personal access token from {Connection.Text(url)}/api-tokens (input is hidden): ");
            var typed = readSecret();
            context.Error.WriteLine();
            return typed ?? string.Empty;
        }

        var buffer = new char[MaxTokenInput + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = context.In.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        if (length > MaxTokenInput)
        {
            throw new CliFailure(ExitCodes.NoToken, "standard input holds more than a token: give the token alone (echo \"$TOKEN\" | pfnstudio auth login)");
        }

        var token = new string(buffer, 0, length).Trim();
        return token.Length > 0
            ? token
            : throw new CliFailure(ExitCodes.NoToken, "no token on standard input: pipe the token in (echo \"$TOKEN\" | pfnstudio auth login) or run it in a terminal to be prompted");
    }

    private static string StatusJson(Invocation run, MeBody me)
    {
        return JsonText.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("server", run.Connection.BaseUrlText);
            writer.WriteString("serverSource", run.Connection.UrlSource);
            writer.WriteString("user", me.User.Email ?? me.User.Id);
            writer.WriteString("tokenName", me.Token.Name);
            writer.WriteString("tokenPrefix", me.Token.Prefix);
            writer.WriteString("tokenSource", run.Connection.TokenSource switch
            {
                TokenSource.Flag => "flag",
                TokenSource.Environment => "environment",
                _ => "file",
            });
            if (run.Connection.TokenSource == TokenSource.ConfigFile)
            {
                writer.WriteString("configFile", run.Config!.Path);
            }

            if (me.Token.ExpiresAt is { } expiresAt)
            {
                writer.WriteString("expiresAt", expiresAt.UtcDateTime);
            }
            else
            {
                writer.WriteNull("expiresAt");
            }

            writer.WriteEndObject();
        });
    }
}
