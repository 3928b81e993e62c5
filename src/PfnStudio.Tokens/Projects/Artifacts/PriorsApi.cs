using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Infrastructure;

namespace PfnStudio.Tokens.Projects.Artifacts;

/// <summary>
/// <c>/api/v1/projects/{project}/priors</c>: push a prior (a Python source file, multipart field <c>file</c>,
/// UTF-8, at most 1 MiB), list every version of every prior, read one version.
/// </summary>
internal static class PriorsApi
{
    /// <summary>Maps the routes into <paramref name="projects"/> (the <c>/api/v1/projects/{project}</c> group).</summary>
    public static RouteGroupBuilder MapPriorsApi(this RouteGroupBuilder projects)
    {
        projects.MapPost("/priors", PushAsync)
            .RequireAuthorization(Authentication.PersonalAccessTokenDefaults.PolicyFor(PersonalAccessTokens.PersonalAccessTokenScopes.Push))
            .WithName("PushPrior")
            .WithSummary("Push a prior: a Python source file in the multipart field `file`; its file name (without .py) names the prior.")
            .AddOpenApiOperationTransformer(OpenApiExtensions.RequestBody("multipart/form-data", "The Python source in the field `file` (UTF-8, at most 1 MiB).", binaryFile: true))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return projects.MapVersionReads<Prior, PriorVersion, PriorList>("priors", "prior", "Prior", PriorVersion.From, items => new PriorList { Items = items });
    }

    /// <summary>
    /// Stores a new version (201, Location: that version) or, when the same name already has identical
    /// content, answers with that version (200) and stores nothing.
    /// </summary>
    internal static async Task<Results<Created<PriorVersion>, Ok<PriorVersion>, ValidationProblem, ProblemHttpResult>> PushAsync(
        string project, HttpContext context, TokensDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var token = context.Token();
        var (projectId, refused) = await context.ResolveProjectAsync(db, project, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var upload = await UploadReader.ReadAsync(
            context.Request, "A prior", Prior.MaxContentBytes, rawBodyAllowed: false,
            ApiProblems.Invalid("file", "The file is not UTF-8 text."), cancellationToken);
        if (upload.TooLargeProblem is { } tooLarge)
        {
            return tooLarge;
        }

        if ((upload.Invalid ?? Check(upload)) is { } invalid)
        {
            return invalid;
        }

        var pushed = await VersionedArtifacts.PushAsync(db, new Prior
        {
            Id = Guid.NewGuid(),
            ProjectId = projectId,
            Name = upload.FileName![..^3],
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(upload.Bytes!)),
            SizeBytes = upload.Bytes!.Length,
            Content = upload.Text!,
            PushedAt = time.GetUtcNow(),
            PushedByUserId = token.UserId,
            TokenPrefix = token.Prefix,
        }, token.UserName, cancellationToken);
        var version = PriorVersion.From(pushed.Artifact, project, pushed.PushedBy);
        return pushed.Created ? TypedResults.Created(version.Location, version) : TypedResults.Ok(version);
    }

    // A refused name is repeated in the message only when it is printable ASCII: the message reaches terminals.
    private static string Quoted(string name) =>
        name.Length <= 200 && name.All(c => c is >= ' ' and <= '~') ? $" \"{name}\"" : string.Empty;

    // What a prior must be beyond readable text: a .py file whose name follows the rule, with content.
    private static ValidationProblem? Check(UploadReader.Upload upload)
    {
        var fileName = upload.FileName!;
        if (!fileName.EndsWith(".py", StringComparison.Ordinal))
        {
            return ApiProblems.Invalid("file", $"The file name{Quoted(fileName)} must end in .py: a prior is a Python source file.");
        }

        var name = fileName[..^3];
        if (!ArtifactNames.Pattern().IsMatch(name))
        {
            return ApiProblems.Invalid("file", $"The prior name{Quoted(name)} (the file name without .py) must be {ArtifactNames.Rule}.");
        }

        if (string.Equals(name, ArtifactNames.BuiltInPrior, StringComparison.OrdinalIgnoreCase))
        {
            return ApiProblems.Invalid("file", "The prior name \"gp\" is reserved for the built-in Gaussian-process prior; rename the file.");
        }

        if (upload.Bytes!.Length == 0)
        {
            return ApiProblems.Invalid("file", "The file is empty.");
        }

        return upload.Text!.Contains('\0', StringComparison.Ordinal)
            ? ApiProblems.Invalid("file", "The file contains NUL characters; a prior must be text.")
            : null;
    }
}

/// <summary>One version of a prior, as the API shows it (never its content).</summary>
internal sealed class PriorVersion
{
    /// <summary>The project slug.</summary>
    public required string Project { get; init; }

    /// <summary>The prior's name (file name without <c>.py</c>).</summary>
    public required string Name { get; init; }

    /// <summary>1, 2, … per name.</summary>
    public required int Version { get; init; }

    /// <summary>SHA-256 of the file, lower-case hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Size in bytes.</summary>
    public required int SizeBytes { get; init; }

    /// <summary>When it was pushed (UTC, ISO 8601).</summary>
    public required DateTimeOffset PushedAt { get; init; }

    /// <summary>E-mail address of who pushed it (null when the account is gone).</summary>
    public required string? PushedBy { get; init; }

    /// <summary>Prefix of the token it was pushed with.</summary>
    public required string TokenPrefix { get; init; }

    /// <summary>Where this version is read (<c>GET</c>), the <c>Location</c> of the push that created it.</summary>
    internal string Location => $"/api/v1/projects/{Project}/priors/{Name}/versions/{Version}";

    internal static PriorVersion From(Prior p, string project, string? pushedBy = null) => new()
    {
        Project = project,
        Name = p.Name,
        Version = p.Version,
        Sha256 = p.Sha256,
        SizeBytes = p.SizeBytes,
        PushedAt = p.PushedAt,
        PushedBy = pushedBy,
        TokenPrefix = p.TokenPrefix,
    };
}

/// <summary>The body of <c>GET /api/v1/projects/{project}/priors</c>.</summary>
internal sealed class PriorList
{
    /// <summary>Every version, newest first.</summary>
    public required IReadOnlyList<PriorVersion> Items { get; init; }
}
