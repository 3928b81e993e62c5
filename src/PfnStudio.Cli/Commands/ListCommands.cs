using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PfnStudio.Cli.Output;

namespace PfnStudio.Cli.Commands;

/// <summary>
/// <c>pfnstudio priors list</c>, <c>pfnstudio models list</c>, <c>pfnstudio runs list</c> (newest first, one
/// aligned table each) and <c>pfnstudio projects list</c>.
/// </summary>
internal static class ListCommands
{
    /// <summary>The largest page the runs API gives (<c>RunsApi.MaxLimit</c>).</summary>
    public const int MaxRunsLimit = 100;

    public static Command CreatePriors(CliContext context, GlobalOptions global)
    {
        var project = ProjectOption.Create();
        var list = HelpWithExamplesAction.WithExamples(
            new Command("list", "List every version of every prior in a project, newest first.") { project },
            "pfnstudio priors list --project pfnstudio-demo");
        Invocation.Bind(list, context, global, async (run, parseResult, cancellationToken) =>
        {
            var slug = parseResult.GetRequiredValue(project);
            var response = await run.Api.SendAsync(HttpMethod.Get, ProjectOption.ApiPath(slug, "priors"), null, slug, cancellationToken);
            if (run.Json)
            {
                await run.WriteJsonAsync(response, ApiJsonContext.Default.PriorListBody);
                return;
            }

            var priors = ApiJson.Read(response, ApiJsonContext.Default.PriorListBody).Items;
            if (priors.Count == 0)
            {
                await run.Out.WriteLineAsync($"no priors in {slug} yet: pfnstudio push prior FILE --project {slug}");
                return;
            }

            var table = new Table("PRIOR", "VERSION", "SHA256", "BYTES", "PUSHED", "BY", "TOKEN").AlignRight(1, 3);
            foreach (var p in priors)
            {
                table.Add(p.Name, Table.Number(p.Version), Short(p.Sha256), Table.Number(p.SizeBytes), Table.Instant(p.PushedAt),
                    p.PushedBy ?? "-", TokenPrefix(p.TokenPrefix));
            }

            await table.WriteAsync(run.Out);
        });
        return Group("priors", "Priors pushed to a project.", list);
    }

    public static Command CreateModels(CliContext context, GlobalOptions global)
    {
        var project = ProjectOption.Create();
        var list = HelpWithExamplesAction.WithExamples(
            new Command("list", "List every version of every model spec in a project, newest first.") { project },
            "pfnstudio models list --project pfnstudio-demo");
        Invocation.Bind(list, context, global, async (run, parseResult, cancellationToken) =>
        {
            var slug = parseResult.GetRequiredValue(project);
            var response = await run.Api.SendAsync(HttpMethod.Get, ProjectOption.ApiPath(slug, "models"), null, slug, cancellationToken);
            if (run.Json)
            {
                await run.WriteJsonAsync(response, ApiJsonContext.Default.ModelListBody);
                return;
            }

            var models = ApiJson.Read(response, ApiJsonContext.Default.ModelListBody).Items;
            if (models.Count == 0)
            {
                await run.Out.WriteLineAsync($"no model specs in {slug} yet: pfnstudio push model FILE --project {slug}");
                return;
            }

            var table = new Table("MODEL", "VERSION", "PRIOR", "KERNEL", "LENGTHSCALE", "OUTPUTSCALE", "NOISE", "PUSHED", "BY", "TOKEN")
                .AlignRight(1, 4, 5, 6);
            foreach (var m in models)
            {
                table.Add(m.Name, Table.Number(m.Version), m.Prior, m.Kernel, Table.Number(m.Lengthscale), Table.Number(m.Outputscale),
                    Table.Number(m.Noise), Table.Instant(m.PushedAt), m.PushedBy ?? "-", TokenPrefix(m.TokenPrefix));
            }

            await table.WriteAsync(run.Out);
        });
        return Group("models", "Model specs pushed to a project.", list);
    }

    public static Command CreateRuns(CliContext context, GlobalOptions global)
    {
        var project = ProjectOption.Create();
        var limit = new Option<int?>("--limit", "-n")
        {
            Description = $"Runs per page, newest first: 1 to {MaxRunsLimit} (default 20; with --all, {MaxRunsLimit}).",
            HelpName = "count",
        };
        limit.Validators.Add(Ranges.Between(limit, 1, MaxRunsLimit));
        var cursor = new Option<string>("--cursor")
        {
            Description = "Start after this point: the nextCursor of the previous page (printed on standard error when there are more runs).",
            HelpName = "cursor",
        };
        var all = new Option<bool>("--all")
        {
            Description = "Every run: follow nextCursor until the last page.",
        };
        var list = HelpWithExamplesAction.WithExamples(
            new Command("list", "List a project's runs (Predict calls), newest first, a page at a time or --all.") { project, limit, cursor, all },
            "pfnstudio runs list --project pfnstudio-demo",
            "pfnstudio runs list --project pfnstudio-demo --limit 5 --json",
            "pfnstudio runs list --project pfnstudio-demo --cursor 1234",
            "pfnstudio runs list --project pfnstudio-demo --all");
        Invocation.Bind(list, context, global, async (run, parseResult, cancellationToken) =>
        {
            var slug = parseResult.GetRequiredValue(project);
            var everything = parseResult.GetValue(all);
            var pageSize = parseResult.GetValue(limit) ?? (everything ? MaxRunsLimit : null);
            var next = parseResult.GetValue(cursor);
            var runs = new List<RunBody>();
            var rawItems = new List<JsonElement>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            string? nextCursor;
            do
            {
                var path = ProjectOption.ApiPath(slug, "runs") + Query(("limit", pageSize?.ToString(CultureInfo.InvariantCulture)), ("cursor", next));
                var response = await run.Api.SendAsync(HttpMethod.Get, path, null, slug, cancellationToken);
                var page = ApiJson.Read(response, ApiJsonContext.Default.RunPageBody);
                runs.AddRange(page.Items);
                if (run.Json)
                {
                    using var document = JsonDocument.Parse(response.Body);
                    rawItems.AddRange(document.RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone()));
                }

                nextCursor = page.NextCursor;
                // A server that hands out the same cursor twice would keep --all going for ever.
                if (nextCursor is not null && !seen.Add(nextCursor))
                {
                    throw new CliFailure(ExitCodes.Failure, $"the server's answer from {response.Path} repeats the cursor {nextCursor}; stopped after {runs.Count} runs");
                }

                next = nextCursor;
            }
            while (everything && nextCursor is not null);

            if (run.Json)
            {
                await run.Out.WriteLineAsync(JsonText.Page(rawItems, everything ? null : nextCursor, run.Redactor));
                return;
            }

            if (runs.Count == 0)
            {
                await run.Out.WriteLineAsync($"no runs in {slug} yet: pfnstudio predict --project {slug} --input FILE");
                return;
            }

            var table = new Table("RUN", "MODEL", "VERSION", "CONTEXT", "QUERY", "STATUS", "MS", "CREATED", "TOKEN").AlignRight(0, 2, 3, 4, 6);
            foreach (var r in runs)
            {
                table.Add(Table.Number(r.Id), r.Model, r.ModelVersion is { } v ? Table.Number(v) : "-", Table.Number(r.ContextSize),
                    Table.Number(r.QuerySize), r.Status, r.DurationMs.ToString("0.0", CultureInfo.InvariantCulture),
                    Table.Instant(r.CreatedAt), TokenPrefix(r.TokenPrefix));
            }

            await table.WriteAsync(run.Out);
            if (!everything && nextCursor is not null)
            {
                // On standard error, so standard output stays one table for awk and column.
                await run.Context.Error.WriteLineAsync(
                    $"more runs: pfnstudio runs list --project {slug} --cursor {nextCursor} (or --all)");
            }
        });
        return Group("runs", "Runs (Predict calls) recorded in a project.", list);
    }

    public static Command CreateProjects(CliContext context, GlobalOptions global)
    {
        var list = HelpWithExamplesAction.WithExamples(
            new Command("list", "List the projects you can reach (those of every organization you are a member of), with their organization."),
            "pfnstudio projects list",
            "pfnstudio projects list --json");
        Invocation.Bind(list, context, global, async (run, _, cancellationToken) =>
        {
            var response = await run.Api.SendAsync(HttpMethod.Get, "api/v1/projects", null, null, cancellationToken);
            if (run.Json)
            {
                await run.WriteJsonAsync(response, ApiJsonContext.Default.ProjectListBody);
                return;
            }

            var projects = ApiJson.Read(response, ApiJsonContext.Default.ProjectListBody).Items;
            if (projects.Count == 0)
            {
                await run.Out.WriteLineAsync("no projects: you are not a member of any organization with a project yet");
                return;
            }

            var table = new Table("PROJECT", "ORGANIZATION", "ORGANIZATION NAME");
            foreach (var p in projects)
            {
                table.Add(p.Slug, p.Organization.Slug, p.Organization.Name);
            }

            await table.WriteAsync(run.Out);
        });
        return HelpWithExamplesAction.WithExamples(
            new Command("projects", "Projects you can reach: their slugs are what --project takes.") { list },
            "pfnstudio projects list");
    }

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return given.Count == 0 ? "" : "?" + string.Join('&', given);
    }

    private static Command Group(string name, string description, Command list) =>
        HelpWithExamplesAction.WithExamples(new Command(name, description) { list }, $"pfnstudio {name} list --project pfnstudio-demo");

    private static string Short(string sha256) => sha256[..Math.Min(12, sha256.Length)];

    private static string TokenPrefix(string prefix) => $"pfnstudio_pat_{prefix}…";
}
