using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace PfnStudio.Cli.Commands;

/// <summary>
/// <c>pfnstudio predict --project P --input FILE|-</c>: sends the JSON request of the Predict API
/// (<c>POST /projects/{project}/runs/v0_1/predict</c>) and prints the predictive mean and variance at each query
/// point, each row labelled by the point's x values, in fixed precision (<c>--json</c>: the server's numbers).
/// The request is sent as it is; the server checks it and names the field of any mistake.
/// </summary>
internal static class PredictCommand
{
    // The query points of the request as sent, to label the rows; null when the input is not that shape (the
    // server then says what is wrong with it).
    private static IReadOnlyList<IReadOnlyList<double>>? QueryPoints(byte[] body)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(body, ApiJsonContext.Default.PredictInputBody)?.Query?.X;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public static Command Create(CliContext context, GlobalOptions global)
    {
        var project = ProjectOption.Create();
        var input = new Option<string>("--input", "-i")
        {
            Description = "The request as JSON, {\"model\": \"name (optional)\", \"context\": {\"x\": [[…]], \"y\": […]}, \"query\": {\"x\": [[…]]}}: a file, or - for standard input.",
            HelpName = "file|-",
            Required = true,
        };
        var precision = new Option<int>("--precision")
        {
            Description = "Digits after the decimal point in the table (0 to 15; default 6). --json gives the numbers as the server sent them.",
            HelpName = "digits",
            DefaultValueFactory = _ => 6,
        };
        precision.Validators.Add(Ranges.Between(precision, 0, 15));
        var command = HelpWithExamplesAction.WithExamples(
            new Command("predict", "Predict y at query points given context points; prints each query point's x with the predictive mean and variance (noise included).") { project, input, precision },
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
            var prediction = ApiJson.Read(response, ApiJsonContext.Default.PredictBody);
            if (run.Json)
            {
                await run.WriteJsonAsync(response, ApiJsonContext.Default.PredictBody);
                return;
            }

            if (prediction.Mean.Count != prediction.Variance.Count)
            {
                throw new CliFailure(ExitCodes.Failure, "the server's answer has a different number of means and variances");
            }

            var decimals = parseResult.GetValue(precision);
            var points = QueryPoints(body);
            var dimensions = points is not null && points.Count == prediction.Mean.Count && points.Count > 0 && points.All(p => p.Count == points[0].Count)
                ? points[0].Count
                : -1;
            // Each row is labelled by its query point: one column per input dimension (X, or X1 X2 …).
            var headers = dimensions switch
            {
                < 0 => ["QUERY"],
                1 => ["X"],
                _ => Enumerable.Range(1, dimensions).Select(d => "X" + d.ToString(CultureInfo.InvariantCulture)).ToArray(),
            };
            var means = Table.FixedColumn(prediction.Mean, decimals);
            var variances = Table.FixedColumn(prediction.Variance, decimals);
            var table = new Table([.. headers, "MEAN", "VARIANCE"]).AlignRight([.. Enumerable.Range(0, headers.Length + 2)]);
            for (var i = 0; i < prediction.Mean.Count; i++)
            {
                var labels = dimensions < 0
                    ? [i.ToString(CultureInfo.InvariantCulture)]
                    : points![i].Select(Table.Number).ToArray();
                table.Add([.. labels, means[i], variances[i]]);
            }

            await table.WriteAsync(run.Out);
        });
        return command;
    }
}
