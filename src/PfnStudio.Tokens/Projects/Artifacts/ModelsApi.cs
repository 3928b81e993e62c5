using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Infrastructure;

namespace PfnStudio.Tokens.Projects.Artifacts;

/// <summary>
/// <c>POST/GET /api/v1/projects/{project}/models</c>: push a model spec (YAML, as the raw body or in the
/// multipart field <c>file</c>, at most 64 KiB) and list every version of every model spec.
/// </summary>
internal static class ModelsApi
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Maps the routes into <paramref name="projects"/> (the <c>/api/v1/projects/{project}</c> group).</summary>
    public static RouteGroupBuilder MapModelsApi(this RouteGroupBuilder projects)
    {
        projects.MapPost("/models", PushAsync)
            .WithName("PushModel")
            .WithSummary("Push a model spec (YAML: name, prior, kernel, lengthscale, outputscale, noise).")
            .AddOpenApiOperationTransformer(OpenApiExtensions.RequestBody("application/yaml", "The model spec as YAML (or in the multipart field `file`).", binaryFile: false))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        projects.MapGet("/models", ListAsync)
            .WithName("ListModels")
            .WithSummary("Every version of every model spec in the project, newest first.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return projects;
    }

    /// <summary>Stores a new version (201) or answers with the version that has identical YAML (200).</summary>
    internal static async Task<Results<Created<ModelVersion>, Ok<ModelVersion>, ValidationProblem, ProblemHttpResult>> PushAsync(
        string project, HttpContext context, TokensDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var token = context.Token();
        if (await db.FindVisibleProjectAsync(project, token.UserId, cancellationToken) is not { } projectId)
        {
            return ProjectAccess.ProjectNotFound(project);
        }

        var bytes = await ReadYamlAsync(context.Request, cancellationToken);
        if (bytes is null)
        {
            return ApiProblems.TooLarge("A model spec", ModelSpec.MaxContentBytes);
        }

        string yaml;
        try
        {
            yaml = StrictUtf8.GetString(bytes.Value.Span);
        }
        catch (DecoderFallbackException)
        {
            return ApiProblems.Invalid("yaml", "Line 1, field yaml: the model spec is not UTF-8 text.");
        }

        var (spec, error) = ModelSpecParser.Parse(yaml);
        if (error is not null)
        {
            return ApiProblems.Invalid(error.Field, error.Message);
        }

        if (spec!.Prior != PriorsApi.BuiltInPrior
            && !await db.Priors.AnyAsync(p => p.ProjectId == projectId && p.Name == spec.Prior, cancellationToken))
        {
            return ApiProblems.Invalid("prior",
                $"Line {spec.PriorLine}, field prior: no prior named \"{spec.Prior}\" in project \"{project}\"; push it first or use gp.");
        }

        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes.Value.Span));
        for (var attempt = 0; ; attempt++)
        {
            var existing = await db.ModelSpecs.AsNoTracking()
                .Where(m => m.ProjectId == projectId && m.Name == spec.Name && m.Sha256 == sha256)
                .OrderBy(m => m.Version)
                .FirstOrDefaultAsync(cancellationToken);
            if (existing is not null)
            {
                var pushedBy = await db.Users.Where(u => u.Id == existing.PushedByUserId).Select(u => u.Email).FirstOrDefaultAsync(cancellationToken);
                return TypedResults.Ok(ModelVersion.From(existing, project, pushedBy));
            }

            var latest = await db.ModelSpecs.Where(m => m.ProjectId == projectId && m.Name == spec.Name)
                .MaxAsync(m => (int?)m.Version, cancellationToken) ?? 0;
            var model = new ModelSpec
            {
                Id = Guid.NewGuid(),
                ProjectId = projectId,
                Name = spec.Name,
                Version = latest + 1,
                Sha256 = sha256,
                SizeBytes = bytes.Value.Length,
                Content = yaml,
                PriorName = spec.Prior,
                Kernel = spec.Kernel,
                Lengthscale = spec.Lengthscale,
                Outputscale = spec.Outputscale,
                Noise = spec.Noise,
                PushedAt = time.GetUtcNow(),
                PushedByUserId = token.UserId,
                TokenPrefix = token.Prefix,
            };
            db.ModelSpecs.Add(model);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return TypedResults.Created($"/api/v1/projects/{project}/models", ModelVersion.From(model, project, token.UserName));
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Another push took this version number; read again.
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>Every version of every model spec, newest first.</summary>
    internal static async Task<Results<Ok<ModelList>, ProblemHttpResult>> ListAsync(
        string project, HttpContext context, TokensDbContext db, CancellationToken cancellationToken)
    {
        if (await db.FindVisibleProjectAsync(project, context.Token().UserId, cancellationToken) is not { } projectId)
        {
            return ProjectAccess.ProjectNotFound(project);
        }

        var rows = await db.ModelSpecs.AsNoTracking()
            .Where(m => m.ProjectId == projectId)
            .OrderByDescending(m => m.PushedAt).ThenBy(m => m.Name).ThenByDescending(m => m.Version)
            .Select(m => new { Model = m, Email = db.Users.Where(u => u.Id == m.PushedByUserId).Select(u => u.Email).FirstOrDefault() })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new ModelList { Items = rows.ConvertAll(r => ModelVersion.From(r.Model, project, r.Email)) });
    }

    // The YAML bytes from a raw body or from the multipart field "file"; null when over the limit.
    private static async Task<ReadOnlyMemory<byte>?> ReadYamlAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        const int framing = 16 * 1024;
        var isMultipart = request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) == true;
        var body = await BoundedBody.ReadAsync(request, ModelSpec.MaxContentBytes + (isMultipart ? framing : 0), cancellationToken);
        if (body is null)
        {
            return null;
        }

        if (!isMultipart)
        {
            return body;
        }

        try
        {
            request.Body = new MemoryStream(body, writable: false);
            var file = (await request.ReadFormAsync(cancellationToken)).Files.GetFile("file");
            if (file is null)
            {
                return ReadOnlyMemory<byte>.Empty;
            }

            if (file.Length > ModelSpec.MaxContentBytes)
            {
                return null;
            }

            using var copy = new MemoryStream();
            await file.CopyToAsync(copy, cancellationToken);
            return copy.ToArray();
        }
        catch (InvalidDataException)
        {
            // A malformed multipart body parses as an empty spec, which the parser rejects by line and field.
            return ReadOnlyMemory<byte>.Empty;
        }
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
