using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Infrastructure;

namespace PfnStudio.Tokens.Projects.Artifacts;

/// <summary>
/// <c>/api/v1/projects/{project}/models</c>: push a model spec (YAML, as the raw body or in the multipart field
/// <c>file</c>, at most 64 KiB), list every version of every model spec, read one version.
/// </summary>
internal static class ModelsApi
{
    /// <summary>Maps the routes into <paramref name="projects"/> (the <c>/api/v1/projects/{project}</c> group).</summary>
    public static RouteGroupBuilder MapModelsApi(this RouteGroupBuilder projects)
    {
        projects.MapPost("/models", PushAsync)
            .RequireAuthorization(Authentication.PersonalAccessTokenDefaults.PolicyFor(PersonalAccessTokens.PersonalAccessTokenScopes.Push))
            .WithName("PushModel")
            .WithSummary("Push a model spec (YAML: name, prior, kernel, lengthscale, outputscale, noise).")
            .AddOpenApiOperationTransformer(OpenApiExtensions.RequestBody("application/yaml", "The model spec as YAML (or in the multipart field `file`).", binaryFile: false))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return projects.MapVersionReads<ModelSpec, ModelVersion, ModelList>("models", "model spec", "Model", ModelVersion.From, items => new ModelList { Items = items });
    }

    /// <summary>Stores a new version (201, Location: that version) or answers with the version that has identical YAML (200).</summary>
    internal static async Task<Results<Created<ModelVersion>, Ok<ModelVersion>, ValidationProblem, ProblemHttpResult>> PushAsync(
        string project, HttpContext context, TokensDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var token = context.Token();
        var (projectId, refused) = await context.ResolveProjectAsync(db, project, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var upload = await UploadReader.ReadAsync(
            context.Request, "A model spec", ModelSpec.MaxContentBytes, rawBodyAllowed: true,
            ApiProblems.Invalid("yaml", "Line 1, field yaml: the model spec is not UTF-8 text."), cancellationToken);
        if (upload.TooLargeProblem is { } tooLarge)
        {
            return tooLarge;
        }

        if (upload.Invalid is { } invalid)
        {
            return invalid;
        }

        var (spec, error) = ModelSpecParser.Parse(upload.Text!, cancellationToken);
        if (error is not null)
        {
            return ApiProblems.Invalid(error.Field, error.Message);
        }

        if (spec!.Prior != ArtifactNames.BuiltInPrior
            && !await db.Priors.AnyAsync(p => p.ProjectId == projectId && p.Name == spec.Prior, cancellationToken))
        {
            return ApiProblems.Invalid("prior",
                $"Line {spec.PriorLine}, field prior: no prior named \"{spec.Prior}\" in project \"{project}\"; push it first or use gp.");
        }

        var pushed = await VersionedArtifacts.PushAsync(db, new ModelSpec
        {
            Id = Guid.NewGuid(),
            ProjectId = projectId,
            Name = spec.Name,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(upload.Bytes!)),
            SizeBytes = upload.Bytes!.Length,
            Content = upload.Text!,
            PriorName = spec.Prior,
            Kernel = spec.Kernel,
            Lengthscale = spec.Lengthscale,
            Outputscale = spec.Outputscale,
            Noise = spec.Noise,
            PushedAt = time.GetUtcNow(),
            PushedByUserId = token.UserId,
            TokenPrefix = token.Prefix,
        }, token.UserName, cancellationToken);
        var version = ModelVersion.From(pushed.Artifact, project, pushed.PushedBy);
        return pushed.Created ? TypedResults.Created(version.Location, version) : TypedResults.Ok(version);
    }

}

/// <summary>One version of a model spec, as the API shows it.</summary>
internal sealed class ModelVersion
{
    /// <summary>The project slug.</summary>
    public required string Project { get; init; }

    /// <summary>The model's name.</summary>
    public required string Name { get; init; }

    /// <summary>1, 2, … per name.</summary>
    public required int Version { get; init; }

    /// <summary><c>gp</c> or a pushed prior's name.</summary>
    public required string Prior { get; init; }

    /// <summary><c>rbf</c> or <c>matern52</c>.</summary>
    public required string Kernel { get; init; }

    /// <summary>Kernel lengthscale (&gt; 0).</summary>
    public required double Lengthscale { get; init; }

    /// <summary>Kernel output scale, the signal variance (&gt; 0).</summary>
    public required double Outputscale { get; init; }

    /// <summary>Observation noise variance (&gt; 0).</summary>
    public required double Noise { get; init; }

    /// <summary>SHA-256 of the YAML, lower-case hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Size of the YAML in bytes.</summary>
    public required int SizeBytes { get; init; }

    /// <summary>When it was pushed (UTC, ISO 8601).</summary>
    public required DateTimeOffset PushedAt { get; init; }

    /// <summary>E-mail address of who pushed it (null when the account is gone).</summary>
    public required string? PushedBy { get; init; }

    /// <summary>Prefix of the token it was pushed with.</summary>
    public required string TokenPrefix { get; init; }

    /// <summary>Where this version is read (<c>GET</c>), the <c>Location</c> of the push that created it.</summary>
    internal string Location => $"/api/v1/projects/{Project}/models/{Name}/versions/{Version}";

    internal static ModelVersion From(ModelSpec m, string project, string? pushedBy) => new()
    {
        Project = project,
        Name = m.Name,
        Version = m.Version,
        Prior = m.PriorName,
        Kernel = m.Kernel,
        Lengthscale = m.Lengthscale,
        Outputscale = m.Outputscale,
        Noise = m.Noise,
        Sha256 = m.Sha256,
        SizeBytes = m.SizeBytes,
        PushedAt = m.PushedAt,
        PushedBy = pushedBy,
        TokenPrefix = m.TokenPrefix,
    };
}

/// <summary>The body of <c>GET /api/v1/projects/{project}/models</c>.</summary>
internal sealed class ModelList
{
    /// <summary>Every version, newest first.</summary>
    public required IReadOnlyList<ModelVersion> Items { get; init; }
}
