using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace PfnStudio.Cli.Commands;

/// <summary>
/// <c>pfnstudio predict --project P --input FILE|-</c>: sends the JSON request of the Predict API
/// (<c>POST /projects/{project}/runs/v0_1/predict</c>) and prints the predictive mean and variance at each query
/// point. The request is sent as it is; the server checks it and names the field of any mistake.
/// </summary>
internal static class PredictCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var project = ProjectOption.Create();
        var input = new Option<string>("--input", "-i")
        {
            Description = "The request as JSON, {\"model\": \"name (optional)\", \"context\": {\"x\": [[…]], \"y\": […]}, \"query\": {\"x\": [[…]]}}: a file, or - for standard input.",
            HelpName = "file|-",
            Required = true,
        };
        var command = HelpWithExamplesAction.WithExamples(
            new Command("predict", "Predict y at query points given context points; prints the predictive mean and variance (noise included) per query point.") { project, input },
            "pfnstudio predict --project pfnstudio-demo --input request.json",
            "echo '{\"context\":{\"x\":[[0],[1]],\"y\":[0,1]},\"query\":{\"x\":[[0.5]]}}' | pfnstudio predict -p pfnstudio-demo --input -");
        Invocation.Bind(command, context, global, async (run, parseResult, cancellationToken) =>
        {
            var slug = parseResult.GetRequiredValue(project);
            var source = parseResult.GetRequiredValue(input);
            var body = source == "-"
                ? Encoding.UTF8.GetBytes(await run.Context.In.ReadToEndAsync(cancellationToken))
                : await run.ReadFileAsync(source, cancellationToken);
            if (body.Length == 0)
            {
                throw new CliFailure(ExitCodes.Usage, $"the input {(source == "-" ? "on standard input" : source)} is empty: give the Predict request as JSON");
            }

            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var path = $"projects/{Uri.EscapeDataString(slug)}/runs/v0_1/predict";
            var response = await run.Api.SendAsync(HttpMethod.Post, path, content, slug, cancellationToken);
            if (run.Json)
            {
                await run.WriteJsonAsync(response);
                return;
            }

            var prediction = ApiJson.Read<PredictBody>(response);
            if (prediction.Mean.Count != prediction.Variance.Count)
            {
                throw new CliFailure(ExitCodes.Failure, "the server's answer has a different number of means and variances");
            }

            var table = new Table("QUERY", "MEAN", "VARIANCE").AlignRight(0, 1, 2);
            for (var i = 0; i < prediction.Mean.Count; i++)
            {
                table.Add(i.ToString(CultureInfo.InvariantCulture), Table.Number(prediction.Mean[i]), Table.Number(prediction.Variance[i]));
            }

            await table.WriteAsync(run.Out);
        });
        return command;
    }
}
