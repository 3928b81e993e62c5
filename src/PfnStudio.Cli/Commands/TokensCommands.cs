using System.CommandLine;
using System.Text;
using PfnStudio.Cli.Configuration;
using PfnStudio.Cli.Output;

namespace PfnStudio.Cli.Commands;

/// <summary>
/// <c>pfnstudio tokens list|revoke|rotate</c> over the token API (<c>/api/v1/tokens</c>). <c>rotate</c> swaps the
/// token the CLI runs with for a new one: a token from the config file (<c>auth login</c>) is replaced there and never
/// printed; a token from <c>PFNSTUDIO_TOKEN</c> or <c>--token</c> cannot be updated by the CLI, so the new token is
/// printed on standard output (alone on its line) for the caller to store, with a note on standard error.
/// </summary>
internal static class TokensCommands
{
    /// <summary>The longest expiry a rotation may ask for (the server caps it further by the old token's lifetime).</summary>
    public const int MaxExpiresInDays = 3650;

    public static Command Create(CliContext context, GlobalOptions global) =>
        HelpWithExamplesAction.WithExamples(
            new Command("tokens", "Your personal access tokens: list them, revoke one, rotate the one this CLI uses.")
            {
                CreateList(context, global),
                CreateRevoke(context, global),
                CreateRotate(context, global),
            },
            "pfnstudio tokens list",
            "pfnstudio tokens revoke 3f2a…",
            "pfnstudio tokens rotate --expires-in-days 30");

    private static Command CreateList(CliContext context, GlobalOptions global)
    {
        var state = new Option<string>("--state")
        {
            Description = "Only tokens in this state: active, expired or revoked (default: all).",
            HelpName = "state",
        };
        state.AcceptOnlyFromAmong("active", "expired", "revoked");
        var command = HelpWithExamplesAction.WithExamples(
            new Command("list", "List your tokens, newest first: id, name, prefix, scopes, state, expiry and last use; never a token's secret.") { state },
            "pfnstudio tokens list",
            "pfnstudio tokens list --state active --json");
        Invocation.Bind(command, context, global, async (run, parseResult, cancellationToken) =>
        {
            var filter = parseResult.GetValue(state);
            var path = "api/v1/tokens" + (filter is null ? "" : "?state=" + Uri.EscapeDataString(filter));
            var response = await run.Api.SendAsync(HttpMethod.Get, path, null, null, cancellationToken);
            if (run.Json)
            {
                await run.WriteJsonAsync(response, ApiJsonContext.Default.TokenListBody);
                return;
            }

            var tokens = ApiJson.Read(response, ApiJsonContext.Default.TokenListBody).Items;
            if (tokens.Count == 0)
            {
                await run.Out.WriteLineAsync(filter is null ? "no tokens" : $"no {filter} tokens");
                return;
            }

            var table = new Table("ID", "NAME", "PREFIX", "SCOPES", "STATE", "EXPIRES", "LAST USED");
            foreach (var t in tokens)
            {
                table.Add(t.Id, t.Name, $"pfnstudio_pat_{t.Prefix}…", t.AccessPhrase, t.State,
                    t.ExpiresAt is { } e ? Table.Instant(e) : "never", t.LastUsedAt is { } u ? Table.Instant(u) : "never");
            }

            await table.WriteAsync(run.Out);
        });
        return command;
    }

    private static Command CreateRevoke(CliContext context, GlobalOptions global)
    {
        var id = new Argument<string>("id") { Description = "The token's id, as 'pfnstudio tokens list' shows it." };
        var command = HelpWithExamplesAction.WithExamples(
            new Command("revoke", "Revoke one of your tokens by id: anything using it gets 401 from the next request. Revoking a token other than the one this CLI uses needs a full-access token.") { id },
            "pfnstudio tokens revoke 3f2a9c1e-0000-4000-8000-000000000000");
        Invocation.Bind(command, context, global, async (run, parseResult, cancellationToken) =>
        {
            var value = parseResult.GetRequiredValue(id).Trim();
            if (!Guid.TryParse(value, out _))
            {
                throw new CliFailure(ExitCodes.Usage, $"not a token id: {TerminalText.Safe(value)} (ids look like 3f2a9c1e-…; see 'pfnstudio tokens list')");
            }

            var response = await run.Api.SendAsync(HttpMethod.Delete, "api/v1/tokens/" + Uri.EscapeDataString(value), null, null, cancellationToken);
            if (run.Json)
            {
                await run.WriteJsonAsync(response, ApiJsonContext.Default.TokenItemBody);
                return;
            }

            var token = ApiJson.Read(response, ApiJsonContext.Default.TokenItemBody);
            await run.Out.WriteLineAsync($"revoked {token.Name} (pfnstudio_pat_{token.Prefix}…)");
        });
        return command;
    }

    private static Command CreateRotate(CliContext context, GlobalOptions global)
    {
        var expires = new Option<int?>("--expires-in-days")
        {
            Description = $"The new token's lifetime in days, 1 to the old token's own lifetime (at most {MaxExpiresInDays}); default: the old token's lifetime.",
            HelpName = "days",
        };
        expires.Validators.Add(Ranges.Between(expires, 1, MaxExpiresInDays));
        var command = HelpWithExamplesAction.WithExamples(
            new Command("rotate",
                "Replace the token this CLI uses by a new one with the same name and scopes; the old one stops at once. "
                + "A token from 'auth login' is replaced in the config file (and not printed); one from PFNSTUDIO_TOKEN or --token is printed on standard output, for you to store.")
            { expires },
            "pfnstudio tokens rotate",
            "pfnstudio tokens rotate --expires-in-days 30",
            "NEW=$(PFNSTUDIO_TOKEN=$OLD pfnstudio tokens rotate)");
        Invocation.Bind(command, context, global, async (run, parseResult, cancellationToken) =>
        {
            var days = parseResult.GetValue(expires);
            var body = days is { } d ? $"{{\"expires_in_days\":{d}}}" : null;

            // One key per rotation: if the answer is lost on the way, the one retry gets the same new token back
            // instead of a 401 for the token the first attempt already revoked.
            var key = Guid.NewGuid().ToString();
            ApiResponse response;
            try
            {
                response = await SendRotateAsync(run, body, key, cancellationToken);
            }
            catch (CliFailure lost) when (lost.ExitCode is ExitCodes.Unreachable or ExitCodes.Busy)
            {
                response = await SendRotateAsync(run, body, key, cancellationToken);
            }

            var rotated = ApiJson.Read(response, ApiJsonContext.Default.RotatedTokenBody);
            var item = rotated.Item;
            var summary = $"rotated {item.Name}: {run.Connection.DisplayPrefix ?? "the old token"} revoked, "
                + $"now pfnstudio_pat_{item.Prefix}…, expires {(item.ExpiresAt is { } e ? Table.Instant(e) : "never")}";
            if (run.Connection.TokenSource == TokenSource.ConfigFile && run.Config is { } config)
            {
                config.Write(new SavedLogin(run.Connection.BaseUrlText, rotated.Token));
                if (run.Json)
                {
                    // The config file holds the token now: --json shows the row, never the secret.
                    using var document = System.Text.Json.JsonDocument.Parse(response.Body);
                    await run.Out.WriteLineAsync(JsonText.WithMembers(document.RootElement.GetProperty("item"), run.Redactor, ("savedIn", config.Path)));
                    return;
                }

                await run.Out.WriteLineAsync($"{summary}; saved in {config.Path}");
                return;
            }

            // PFNSTUDIO_TOKEN or --token: the CLI cannot update where it came from, so the new token is printed
            // here, the only place the caller can get it, and nowhere else.
            if (run.Json)
            {
                await run.Out.WriteLineAsync(JsonText.Reencode(response.Body, run.Redactor));
            }
            else
            {
                await run.Out.WriteLineAsync(rotated.Token);
            }

            var source = run.Connection.TokenSource == TokenSource.Flag ? "--token" : Connection.TokenVariable;
            await run.Context.Error.WriteLineAsync($"{summary}; {source} still holds the revoked token: store the new one (printed above) where {source} comes from");
        });
        return command;
    }

    private static Task<ApiResponse> SendRotateAsync(Invocation run, string? body, string key, CancellationToken cancellationToken)
    {
        var content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json");
        return run.Api.SendWithKeyAsync(HttpMethod.Post, "api/v1/tokens/self/rotate", content, key, cancellationToken);
    }
}
