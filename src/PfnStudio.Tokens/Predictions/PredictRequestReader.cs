using System.Globalization;
using System.Text.Json;

namespace PfnStudio.Tokens.Predictions;

/// <summary>A Predict request body, read and checked.</summary>
/// <param name="Model">The model spec named, or <see langword="null"/> for the default model.</param>
/// <param name="ContextX">n × d context points.</param>
/// <param name="ContextY">n observed values.</param>
/// <param name="QueryX">m × d query points.</param>
internal sealed record PredictInput(string? Model, double[][] ContextX, double[] ContextY, double[][] QueryX);

/// <summary>Why a Predict body was refused: the JSON path at fault and a sentence naming it.</summary>
/// <param name="Field">The JSON path, e.g. <c>context.x[3][1]</c>.</param>
/// <param name="Message">One sentence, starting with the field.</param>
/// <param name="ContextSize">Context points seen before the fault (for the run record).</param>
/// <param name="QuerySize">Query points seen before the fault (for the run record).</param>
internal sealed record PredictInputError(string Field, string Message, int ContextSize = 0, int QuerySize = 0);

/// <summary>
/// Reads <c>{"model": …, "context": {"x": [[…], …], "y": […]}, "query": {"x": [[…], …]}}</c> with
/// <see cref="JsonDocument"/>, so each fault names its exact field: ragged rows, mismatched dimensions,
/// non-numbers, numbers that overflow to infinity, empty context and the size limits.
/// </summary>
internal static class PredictRequestReader
{
    /// <summary>Most context points.</summary>
    public const int MaxContextPoints = 2_000;

    /// <summary>Most features per point.</summary>
    public const int MaxFeatures = 100;

    /// <summary>Most query points.</summary>
    public const int MaxQueryPoints = 10_000;

    /// <summary>Largest body, in bytes (32 MiB: the largest valid request written with 17 significant digits fits).</summary>
    public const int MaxBodyBytes = 32 * 1024 * 1024;

    /// <summary>Parses and checks <paramref name="body"/>; exactly one of the results is set.</summary>
    public static (PredictInput? Input, PredictInputError? Error) Read(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}" : string.Empty;
            return Fail("body", $"body: is not valid JSON{where}.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Fail("body", "body: must be a JSON object with context and query.");
            }

            string? model = null;
            if (root.TryGetProperty("model", out var modelElement) && modelElement.ValueKind != JsonValueKind.Null)
            {
                if (modelElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(modelElement.GetString()))
                {
                    return Fail("model", "model: must be the name of a model spec pushed to this project, or omitted for the default gp model.");
                }

                model = modelElement.GetString()!.Trim();
            }

            if (!root.TryGetProperty("context", out var context) || context.ValueKind != JsonValueKind.Object)
            {
                return Fail("context", "context: is required: an object with x (points) and y (values).");
            }

            if (!context.TryGetProperty("x", out var contextXElement))
            {
                return Fail("context.x", "context.x: is required: an array of points, each an array of numbers.");
            }

            var (contextX, contextError) = ReadPoints(contextXElement, "context.x", MaxContextPoints, expectedFeatures: null);
            if (contextError is not null)
            {
                return (null, contextError);
            }

            if (contextX!.Length == 0)
            {
                return Fail("context.x", "context.x: is empty; give at least one context point.");
            }

            var features = contextX[0].Length;
            if (!context.TryGetProperty("y", out var yElement) || yElement.ValueKind != JsonValueKind.Array)
            {
                return Fail("context.y", "context.y: is required: an array of numbers, one per context point.", contextX.Length);
            }

            if (yElement.GetArrayLength() != contextX.Length)
            {
                return Fail("context.y", string.Create(CultureInfo.InvariantCulture,
                    $"context.y: has {yElement.GetArrayLength()} values for {contextX.Length} points in context.x."), contextX.Length);
            }

            var contextY = new double[contextX.Length];
            var index = 0;
            foreach (var value in yElement.EnumerateArray())
            {
                if (!TryReadNumber(value, out contextY[index]))
                {
                    return Fail($"context.y[{index}]", $"context.y[{index}]: must be a finite number.", contextX.Length);
                }

                index++;
            }

            if (!root.TryGetProperty("query", out var query) || query.ValueKind != JsonValueKind.Object
                || !query.TryGetProperty("x", out var queryXElement))
            {
                return Fail("query.x", "query.x: is required: an array of points, each an array of numbers.", contextX.Length);
            }

            var (queryX, queryError) = ReadPoints(queryXElement, "query.x", MaxQueryPoints, features);
            if (queryError is not null)
            {
                return (null, queryError with { ContextSize = contextX.Length });
            }

            if (queryX!.Length == 0)
            {
                return Fail("query.x", "query.x: is empty; give at least one query point.", contextX.Length);
            }

            return (new PredictInput(model, contextX, contextY, queryX), null);
        }
    }

    private static (double[][]? Points, PredictInputError? Error) ReadPoints(
        JsonElement element, string field, int maxPoints, int? expectedFeatures)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            return (null, new PredictInputError(field, $"{field}: must be an array of points, each an array of numbers."));
        }

        var count = element.GetArrayLength();
        if (count > maxPoints)
        {
            return (null, new PredictInputError(field, string.Create(CultureInfo.InvariantCulture,
                $"{field}: has {count:N0} points; at most {maxPoints:N0} are allowed.")));
        }

        var points = new double[count][];
        var i = 0;
        foreach (var row in element.EnumerateArray())
        {
            var path = $"{field}[{i}]";
            if (row.ValueKind != JsonValueKind.Array)
            {
                return (null, new PredictInputError(path, $"{path}: must be an array of numbers (one point)."));
            }

            var length = row.GetArrayLength();
            if (expectedFeatures is null && i == 0)
            {
                if (length is 0 or > MaxFeatures)
                {
                    return (null, new PredictInputError(path, string.Create(CultureInfo.InvariantCulture,
                        $"{path}: has {length} features; a point has 1 to {MaxFeatures}.")));
                }
            }
            else
            {
                var expected = expectedFeatures ?? points[0].Length;
                if (length != expected)
                {
                    var reference = expectedFeatures is null ? $"{field}[0] has {expected}" : $"the context points have {expected}";
                    return (null, new PredictInputError(path, string.Create(CultureInfo.InvariantCulture,
                        $"{path}: has {length} features; {reference}.")));
                }
            }

            var point = new double[length];
            var j = 0;
            foreach (var value in row.EnumerateArray())
            {
                if (!TryReadNumber(value, out point[j]))
                {
                    return (null, new PredictInputError($"{path}[{j}]", $"{path}[{j}]: must be a finite number."));
                }

                j++;
            }

            points[i++] = point;
        }

        return (points, null);
    }

    // JSON has no NaN or Infinity literals, but a number such as 1e999 overflows to infinity when read.
    private static bool TryReadNumber(JsonElement value, out double number)
    {
        number = 0;
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out number) && double.IsFinite(number);
    }

    private static (PredictInput?, PredictInputError?) Fail(string field, string message, int contextSize = 0) =>
        (null, new PredictInputError(field, message, contextSize));
}
