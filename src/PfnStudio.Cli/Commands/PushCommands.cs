using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using PfnStudio.Cli.Output;

namespace PfnStudio.Cli.Commands;

/// <summary>
/// <c>pfnstudio push prior FILE</c> (multipart field <c>file</c> to <c>POST …/priors</c>) and
/// <c>pfnstudio push model FILE</c> (the YAML as the body of <c>POST …/models</c>). Identical content again is
/// not a new version: the server answers 200 with the existing one, shown as <c>unchanged</c> (with
/// <c>--json</c>, the version object gains <c>"status": "created"</c> or <c>"unchanged"</c>).
/// </summary>
internal static class PushCommands
{
    public static Command Create(CliContext context, GlobalOptions global) =>
        HelpWithExamplesAction.WithExamples(
            new Command("push", "Push a prior (Python source) or a model spec (YAML) into a project.")
            {
                CreatePrior(context, global),
                CreateModel(context, global),
            },
            "pfnstudio push prior ./my-prior.py --project pfnstudio-demo",
            "pfnstudio push model ./my-model.yaml --project pfnstudio-demo");

    private static Command CreatePrior(CliContext context, GlobalOptions global)
    {
        var file = new Argument<string>("FILE") { Description = "The prior: a UTF-8 Python source file (.py, at most 1 MiB); its name without .py names the prior." };
        var project = ProjectOption.Create();
        var command = HelpWithExamplesAction.WithExamples(
            new Command("prior", "Push a prior; the same content again is reported as unchanged, new content becomes the next version.") { file, project },
            "pfnstudio push prior ./my-prior.py --project pfnstudio-demo",
            "pfnstudio push prior priors/my-prior.py -p pfnstudio-demo --json");
        Invocation.Bind(command, context, global, async (run, parseResult, cancellationToken) =>
        {
            var path = parseResult.GetRequiredValue(file);
            var slug = parseResult.GetRequiredValue(project);
            var bytes = await run.ReadFileAsync(path, cancellationToken);
            using var content = new MultipartFormDataContent();
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue("text/x-python");
            content.Add(part, "file", Path.GetFileName(path));

            var response = await run.Api.SendAsync(HttpMethod.Post, ProjectOption.ApiPath(slug, "priors"), content, slug, cancellationToken);
            var prior = ApiJson.Read(response, ApiJsonContext.Default.PriorBody);
            if (run.Json)
            {
                await WriteJsonAsync(run, response);
                return;
            }

            var table = new Table("STATUS", "PROJECT", "PRIOR", "VERSION", "SHA256", "BYTES").AlignRight(3, 5);
            table.Add(Status(response), slug, prior.Name, Table.Number(prior.Version), prior.Sha256[..Math.Min(12, prior.Sha256.Length)], Table.Number(prior.SizeBytes));
            await table.WriteAsync(run.Out);
        });
        return command;
    }

    private static Command CreateModel(CliContext context, GlobalOptions global)
    {
        var file = new Argument<string>("FILE") { Description = "The model spec: YAML with name, prior (gp or a pushed prior), kernel (rbf|matern52), lengthscale, outputscale, noise." };
        var project = ProjectOption.Create();
        var command = HelpWithExamplesAction.WithExamples(
            new Command("model", "Push a model spec; the server checks it and names the line and field of any mistake.") { file, project },
            "pfnstudio push model ./my-model.yaml --project pfnstudio-demo");
        Invocation.Bind(command, context, global, async (run, parseResult, cancellationToken) =>
        {
            var path = parseResult.GetRequiredValue(file);
            var slug = parseResult.GetRequiredValue(project);
            using var content = new ByteArrayContent(await run.ReadFileAsync(path, cancellationToken));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/yaml");

            var response = await run.Api.SendAsync(HttpMethod.Post, ProjectOption.ApiPath(slug, "models"), content, slug, cancellationToken);
            var model = ApiJson.Read(response, ApiJsonContext.Default.ModelBody);
            if (run.Json)
            {
                await WriteJsonAsync(run, response);
                return;
            }

            var table = new Table("STATUS", "PROJECT", "MODEL", "VERSION", "PRIOR", "KERNEL", "LENGTHSCALE", "OUTPUTSCALE", "NOISE")
                .AlignRight(3, 6, 7, 8);
            table.Add(Status(response), slug, model.Name, Table.Number(model.Version), model.Prior, model.Kernel,
                Table.Number(model.Lengthscale), Table.Number(model.Outputscale), Table.Number(model.Noise));
            await table.WriteAsync(run.Out);
        });
        return command;
    }

    // 201: a new version was stored; 200: that content was already there.
    private static string Status(ApiResponse response) => response.Status == HttpStatusCode.Created ? "created" : "unchanged";

    // The server's version object with "status": "created" | "unchanged" first: the status code, for scripts.
    private static async Task WriteJsonAsync(Invocation run, ApiResponse response)
    {
        using var document = JsonDocument.Parse(response.Body);
        await run.Out.WriteLineAsync(JsonText.WithMembers(document.RootElement, run.Redactor, ("status", Status(response))));
    }
}
