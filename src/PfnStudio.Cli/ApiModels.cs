using System.Text.Json;
using System.Text.Json.Serialization;

namespace PfnStudio.Cli;

// The API's JSON bodies as the CLI reads them (camelCase, System.Text.Json web defaults). Only the fields the
// human tables show; --json prints the server's body unchanged.

/// <summary><c>GET /api/v1/me</c>.</summary>
internal sealed record MeBody(MeUserBody User, MeTokenBody Token);

/// <summary>The token's owner.</summary>
internal sealed record MeUserBody(string Id, string? Email);

/// <summary>The token used (never its plaintext).</summary>
internal sealed record MeTokenBody(string Name, string Prefix, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>One version of a prior.</summary>
internal sealed record PriorBody(string Name, int Version, string Sha256, long SizeBytes, DateTimeOffset PushedAt, string? PushedBy, string TokenPrefix);

/// <summary>One version of a model spec.</summary>
internal sealed record ModelBody(
    string Name, int Version, string Prior, string Kernel, double Lengthscale, double Outputscale, double Noise,
    string Sha256, long SizeBytes, DateTimeOffset PushedAt, string? PushedBy, string TokenPrefix);

/// <summary>A list of items (priors, model specs).</summary>
internal sealed record ListBody<T>(IReadOnlyList<T> Items);

/// <summary>One run.</summary>
internal sealed record RunBody(
    long Id, string Model, int? ModelVersion, int ContextSize, int QuerySize, string Status, string? Error,
    double DurationMs, DateTimeOffset CreatedAt, string TokenPrefix);

/// <summary>A page of runs, newest first.</summary>
internal sealed record RunPageBody(IReadOnlyList<RunBody> Items, string? NextCursor);

/// <summary>A Predict answer.</summary>
internal sealed record PredictBody(long? RunId, string? Model, int? ModelVersion, IReadOnlyList<double> Mean, IReadOnlyList<double> Variance);

/// <summary>Reads API bodies; a body that does not have the expected shape is an exit-code-1 failure.</summary>
internal static class ApiJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static T Read<T>(ApiResponse response)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(response.Body, Options)
                ?? throw new CliFailure(ExitCodes.Failure, "the server answered with an empty body");
        }
        catch (JsonException ex)
        {
            throw new CliFailure(ExitCodes.Failure, $"the server's answer is not what this CLI understands ({ex.Message})");
        }
    }
}
