using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Infrastructure;
using PfnStudio.Tokens.Projects.Artifacts;

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
/// <param name="ContextSize">Context points read before the fault (for the run record).</param>
/// <param name="QuerySize">Query points read before the fault (for the run record).</param>
internal sealed record PredictInputError(string Field, string Message, int ContextSize = 0, int QuerySize = 0)
{
    /// <summary>
    /// The <c>model</c> name breaks the name rule (<see cref="Infrastructure.DisplayNameRule"/> or the artifact name
    /// pattern): the call is refused and stores nothing, not even a rejected run, since that text would reach other
    /// members' run lists.
    /// </summary>
    public bool IsBadName { get; init; }
}

/// <summary>
/// Deserializes <c>{"model": …, "context": {"x": [[…], …], "y": […]}, "query": {"x": [[…], …]}}</c> into a
/// <see cref="PredictRequest"/> with System.Text.Json (whose error path names the field at fault), then checks what a
/// type cannot say: presence, ragged rows, mismatched dimensions, finite numbers (1e999 overflows to infinity), empty
/// sets and the size limits. Every message starts with the field.
/// </summary>
internal static partial class PredictRequestReader
{
    /// <summary>Most context points.</summary>
    public const int MaxContextPoints = 2_000;

    /// <summary>Most features per point.</summary>
    public const int MaxFeatures = 100;

    /// <summary>Most query points.</summary>
    public const int MaxQueryPoints = 10_000;

    /// <summary>Largest body, in bytes (32 MiB: the largest valid request written with 17 significant digits fits).</summary>
    public const int MaxBodyBytes = 32 * 1024 * 1024;

    /// <summary>
    /// Numbers only as JSON numbers (never "0.5" as a string: the OpenAPI document says number), property names
    /// exactly as documented, and a depth bound that no valid request comes near.
    /// </summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
        MaxDepth = 16,
    };

    private const string PointsMessage = "an array of points, each an array of numbers";

    /// <summary>Parses and checks <paramref name="body"/>; exactly one of the results is set.</summary>
    public static (PredictInput? Input, PredictInputError? Error) Read(ReadOnlyMemory<byte> body)
    {
        PredictRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<PredictRequest>(body.Span, JsonOptions);
        }
        catch (JsonException ex)
        {
            return (null, Describe(ex));
        }

        if (request is null)
        {
            return Fail("body", "body: must be a JSON object with context and query.");
        }

        if (request.Model is { } name && string.IsNullOrWhiteSpace(name))
        {
            return Fail("model", ModelMessage);
        }

        // Checked where it enters, before anything is stored: never cut, never cleaned.
        string? model = null;
        if (request.Model is not null)
        {
            var check = DisplayNameRule.Check(request.Model, ModelSpec.NameMaxLength);
            if (!check.IsValid || !ArtifactNames.Pattern().IsMatch(check.Value))
            {
                var message = check.Problem is { } problem
                    ? $"model: {problem}."
                    : $"model: must be the name of a model spec pushed to this project ({ArtifactNames.Rule}), or omitted for the default gp model.";
                return (null, new PredictInputError("model", message)
                {
                    IsBadName = true,
                });
            }

            model = check.Value;
        }

        if (request.Context is null)
        {
            return Fail("context", "context: is required: an object with x (points) and y (values).");
        }

        if (request.Context.X is not { } contextX)
        {
            return Fail("context.x", $"context.x: is required: {PointsMessage}.");
        }

        if (contextX.Length == 0)
        {
            return Fail("context.x", "context.x: is empty; give at least one context point.");
        }

        if (CheckPoints(contextX, "context.x", MaxContextPoints, expectedFeatures: null) is { } contextError)
        {
            return (null, contextError);
        }

        if (request.Context.Y is not { } contextY)
        {
            return Fail("context.y", "context.y: is required: an array of numbers, one per context point.", contextX.Length);
        }

        if (contextY.Length != contextX.Length)
        {
            return Fail("context.y", string.Create(CultureInfo.InvariantCulture,
                $"context.y: has {contextY.Length} values for {contextX.Length} points in context.x."), contextX.Length);
        }

        for (var i = 0; i < contextY.Length; i++)
        {
            if (!double.IsFinite(contextY[i]))
            {
                return Fail($"context.y[{i}]", $"context.y[{i}]: must be a finite number.", contextX.Length);
            }
        }

        if (request.Query?.X is not { } queryX)
        {
            return Fail("query.x", $"query.x: is required: {PointsMessage}.", contextX.Length);
        }

        if (queryX.Length == 0)
        {
            return Fail("query.x", "query.x: is empty; give at least one query point.", contextX.Length);
        }

        if (CheckPoints(queryX, "query.x", MaxQueryPoints, contextX[0]!.Length) is { } queryError)
        {
            return (null, queryError with { ContextSize = contextX.Length });
        }

        return (new PredictInput(model, contextX!, contextY, queryX!), null);
    }

    private const string ModelMessage = "model: must be the name of a model spec pushed to this project, or omitted for the default gp model.";

    private static PredictInputError? CheckPoints(double[]?[] points, string field, int maxPoints, int? expectedFeatures)
    {
        if (points.Length > maxPoints)
        {
            return new PredictInputError(field, string.Create(CultureInfo.InvariantCulture,
                $"{field}: has {points.Length:N0} points; at most {maxPoints:N0} are allowed."));
        }

        for (var i = 0; i < points.Length; i++)
        {
            var path = $"{field}[{i}]";
            if (points[i] is not { } point)
            {
                return new PredictInputError(path, $"{path}: must be an array of numbers (one point).");
            }

            if (expectedFeatures is null && i == 0)
            {
                if (point.Length is 0 or > MaxFeatures)
                {
                    return new PredictInputError(path, string.Create(CultureInfo.InvariantCulture,
                        $"{path}: has {point.Length} features; a point has 1 to {MaxFeatures}."));
                }
            }
            else
            {
                var expected = expectedFeatures ?? points[0]!.Length;
                if (point.Length != expected)
                {
                    var reference = expectedFeatures is null ? $"{field}[0] has {expected}" : $"the context points have {expected}";
                    return new PredictInputError(path, string.Create(CultureInfo.InvariantCulture,
                        $"{path}: has {point.Length} features; {reference}."));
                }
            }

            for (var j = 0; j < point.Length; j++)
            {
                if (!double.IsFinite(point[j]))
                {
                    return new PredictInputError($"{path}[{j}]", $"{path}[{j}]: must be a finite number.");
                }
            }
        }

        return null;
    }

    // The serializer's path ($.context.x[2][0]) names the field; what the field must be follows from its place.
    private static PredictInputError Describe(JsonException ex)
    {
        var field = ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;
        if (ex.Message.Contains("maximum configured depth", StringComparison.Ordinal))
        {
            return new PredictInputError("body", "body: nests deeper than any Predict request.");
        }

        // A syntax error (thrown by the reader, a JsonException subtype): the position, not the type, is what the
        // caller needs. The serializer's own conversion errors are plain JsonExceptions carrying the path.
        if (ex.GetType() != typeof(JsonException))
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}" : string.Empty;
            return new PredictInputError("body", $"body: is not valid JSON{where}.");
        }

        return field switch
        {
            null => new PredictInputError("body", "body: must be a JSON object with context and query."),
            "model" => new PredictInputError("model", ModelMessage),
            "context" => new PredictInputError("context", "context: is required: an object with x (points) and y (values)."),
            "context.x" or "query.x" => new PredictInputError(field, $"{field}: must be {PointsMessage}."),
            "query" => new PredictInputError("query.x", $"query.x: is required: {PointsMessage}."),
            "context.y" => new PredictInputError(field, "context.y: is required: an array of numbers, one per context point."),
            _ when PointPath().IsMatch(field) => new PredictInputError(field, $"{field}: must be an array of numbers (one point)."),
            _ when NumberPath().IsMatch(field) => new PredictInputError(field, $"{field}: must be a finite number."),
            _ => new PredictInputError(field, $"{field}: has the wrong type; see the Predict request in the OpenAPI document."),
        };
    }

    private static (PredictInput?, PredictInputError?) Fail(string field, string message, int contextSize = 0) =>
        (null, new PredictInputError(field, message, contextSize));

    [GeneratedRegex(@"^(context|query)\.x\[\d+\]$")]
    private static partial Regex PointPath();

    [GeneratedRegex(@"^((context|query)\.x\[\d+\]\[\d+\]|context\.y\[\d+\])$")]
    private static partial Regex NumberPath();
}
