using System.CommandLine;
using System.Globalization;

namespace PfnStudio.Cli.Commands;

/// <summary>
/// <c>pfnstudio priors list</c>, <c>pfnstudio models list</c> and <c>pfnstudio runs list</c>: newest first,
/// one aligned table each.
/// </summary>
internal static class ListCommands
{
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
                await run.WriteJsonAsync(response);
                return;
            }

            var priors = ApiJson.Read<ListBody<PriorBody>>(response).Items;
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
                await run.WriteJsonAsync(response);
                return;
            }

            var models = ApiJson.Read<ListBody<ModelBody>>(response).Items;
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
            Description = "How many runs, newest first (the server allows 1 to 100; default 20).",
            HelpName = "count",
        };
        var list = HelpWithExamplesAction.WithExamples(
            new Command("list", "List a project's runs (Predict calls), newest first.") { project, limit },
            "pfnstudio runs list --project pfnstudio-demo",
            "pfnstudio runs list --project pfnstudio-demo --limit 5 --json");
        Invocation.Bind(list, context, global, async (run, parseResult, cancellationToken) =>
        {
            var slug = parseResult.GetRequiredValue(project);
            var path = ProjectOption.ApiPath(slug, "runs");
            if (parseResult.GetValue(limit) is { } n)
            {
                // The server decides what a valid limit is (and says so in a 400).
                path += "?limit=" + n.ToString(CultureInfo.InvariantCulture);
            }

            var response = await run.Api.SendAsync(HttpMethod.Get, path, null, slug, cancellationToken);
            if (run.Json)
            {
                await run.WriteJsonAsync(response);
                return;
            }

            var runs = ApiJson.Read<RunPageBody>(response).Items;
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
        });
        return Group("runs", "Runs (Predict calls) recorded in a project.", list);
    }

    private static Command Group(string name, string description, Command list) =>
        HelpWithExamplesAction.WithExamples(new Command(name, description) { list }, $"pfnstudio {name} list --project pfnstudio-demo");

    private static string Short(string sha256) => sha256[..Math.Min(12, sha256.Length)];

    private static string TokenPrefix(string prefix) => $"pfnstudio_pat_{prefix}…";
}
