using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace PfnStudio.Cli;

// The API's JSON bodies as the CLI reads them (camelCase, System.Text.Json web defaults). Only the fields the
// human tables show; --json prints the server's body (re-encoded, the same values) once it has this shape.

/// <summary><c>GET /api/v1/me</c>.</summary>
internal sealed record MeBody(MeUserBody User, MeTokenBody Token);

/// <summary>The token's owner.</summary>
internal sealed record MeUserBody(string Id, string? Email);

/// <summary>The token used (never its plaintext).</summary>
/// <param name="Name">The owner's name for it.</param>
/// <param name="Prefix">The 12-character prefix.</param>
/// <param name="Scopes"><c>pat</c> (full access), or the permissions.</param>
/// <param name="CreatedAt">Issue instant.</param>
/// <param name="ExpiresAt">Expiry instant, or null for never.</param>
/// <param name="Access"><c>full</c> or <c>fine-grained</c>; absent from servers older than fine-grained tokens (all full access).</param>
/// <param name="Organization">A fine-grained token's organization slug; null for full access (and on older servers).</param>
/// <param name="Projects">The project slugs a fine-grained token is limited to; null for all projects (or full access).</param>
internal sealed record MeTokenBody(
    string Name, string Prefix, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt,
    string? Access = null, string? Organization = null, IReadOnlyList<string>? Projects = null)
{
    /// <summary>The scope that grants everything: a full-access token.</summary>
    public const string FullAccessScope = "pat";

    /// <summary>Whether this is a full-access token: the server says so, or (an older server) it carries <c>pat</c>.</summary>
    public bool IsFullAccess => Access is null ? Scopes.Contains(FullAccessScope) : Access == "full";

    /// <summary>The scopes as the server's pages show them: <c>pat (full access)</c> or <c>read, push</c>.</summary>
    public string ScopesPhrase => Scopes.Contains(FullAccessScope) ? "pat (full access)" : string.Join(", ", Scopes);
}

/// <summary>One version of a prior.</summary>
internal sealed record PriorBody(string Name, int Version, string Sha256, long SizeBytes, DateTimeOffset PushedAt, string? PushedBy, string TokenPrefix);

/// <summary>One version of a model spec.</summary>
internal sealed record ModelBody(
    string Name, int Version, string Prior, string Kernel, double Lengthscale, double Outputscale, double Noise,
    string Sha256, long SizeBytes, DateTimeOffset PushedAt, string? PushedBy, string TokenPrefix);

/// <summary>The priors of a project.</summary>
internal sealed record PriorListBody(IReadOnlyList<PriorBody> Items);

/// <summary>The model specs of a project.</summary>
internal sealed record ModelListBody(IReadOnlyList<ModelBody> Items);

/// <summary>One run.</summary>
internal sealed record RunBody(
    long Id, string Model, int? ModelVersion, int ContextSize, int QuerySize, string Status, string? Error,
    double DurationMs, DateTimeOffset CreatedAt, string TokenPrefix);

/// <summary>A page of runs, newest first.</summary>
internal sealed record RunPageBody(IReadOnlyList<RunBody> Items, string? NextCursor);

/// <summary>A Predict answer.</summary>
internal sealed record PredictBody(long? RunId, string? Model, int? ModelVersion, IReadOnlyList<double> Mean, IReadOnlyList<double> Variance);

/// <summary>The query part of a Predict request, read from the user's input to label the rows.</summary>
internal sealed record PredictInputBody(PredictInputQuery? Query);

/// <summary>The query points.</summary>
internal sealed record PredictInputQuery(IReadOnlyList<IReadOnlyList<double>>? X);

/// <summary><c>GET /api/v1/projects</c>.</summary>
internal sealed record ProjectListBody(IReadOnlyList<ProjectBody> Items);

/// <summary>One project.</summary>
internal sealed record ProjectBody(string Slug, OrganizationBody Organization);

/// <summary>The organization a project is in.</summary>
internal sealed record OrganizationBody(string Slug, string Name);

/// <summary>One token as <c>GET /api/v1/tokens</c> lists it (never a secret).</summary>
internal sealed record TokenItemBody(
    string Id, string Name, string Prefix, IReadOnlyList<string> Scopes, string Access, string? Organization,
    IReadOnlyList<string>? Projects, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt, string State)
{
    /// <summary>The scopes and reach as the server's pages show them: <c>pat (full access)</c> or <c>read · acme / gp-demo</c>.</summary>
    public string AccessPhrase => Scopes.Contains(MeTokenBody.FullAccessScope)
        ? "pat (full access)"
        : $"{string.Join(", ", Scopes)} \u00b7 {Organization} {(Projects is { Count: > 0 } p ? "/ " + string.Join(", ", p) : "(all projects)")}";
}

/// <summary><c>GET /api/v1/tokens</c>.</summary>
internal sealed record TokenListBody(IReadOnlyList<TokenItemBody> Items);

/// <summary><c>POST /api/v1/tokens/self/rotate</c>: the new token (once) and its row.</summary>
internal sealed record RotatedTokenBody(string Token, TokenItemBody Item);

/// <summary>
/// The source-generated readers of the bodies above: no reflection (the single-file executable is trimmed), and
/// nullability is enforced, so a <c>null</c> or a missing field where the CLI needs a value is refused here
/// rather than failing later.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(MeBody))]
[JsonSerializable(typeof(PriorBody))]
[JsonSerializable(typeof(ModelBody))]
[JsonSerializable(typeof(PriorListBody))]
[JsonSerializable(typeof(ModelListBody))]
[JsonSerializable(typeof(RunPageBody))]
[JsonSerializable(typeof(PredictBody))]
[JsonSerializable(typeof(PredictInputBody))]
[JsonSerializable(typeof(ProjectListBody))]
[JsonSerializable(typeof(TokenItemBody))]
[JsonSerializable(typeof(TokenListBody))]
[JsonSerializable(typeof(RotatedTokenBody))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;

/// <summary>Reads API bodies; a body that does not have the expected shape is an exit-code-1 failure.</summary>
internal static class ApiJson
{
    /// <summary>The body as <typeparamref name="T"/>.</summary>
    /// <exception cref="CliFailure">Not JSON, or not that shape (<see cref="ExitCodes.Failure"/>).</exception>
    public static T Read<T>(ApiResponse response, JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(response.Body, type)
                ?? throw new CliFailure(ExitCodes.Failure, $"the server's answer is not what this CLI understands (from {response.Path}: null where an object was expected)");
        }
        catch (JsonException ex)
        {
            // The path names the field; the parser's message is not shown (it can quote the body).
            var where = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "" : $" at {ex.Path}";
            throw new CliFailure(ExitCodes.Failure, $"the server's answer is not what this CLI understands (from {response.Path}: not the expected JSON{where})");
        }
    }
}
