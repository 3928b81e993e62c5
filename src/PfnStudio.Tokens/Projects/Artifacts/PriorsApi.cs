using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Infrastructure;

namespace PfnStudio.Tokens.Projects.Artifacts;

/// <summary>
/// <c>POST/GET /api/v1/projects/{project}/priors</c>: push a prior (a Python source file, multipart field
/// <c>file</c>, UTF-8, at most 1 MiB) and list every version of every prior.
/// </summary>
internal static partial class PriorsApi
{
    /// <summary>The built-in Gaussian-process prior's name; no pushed prior may take it.</summary>
    public const string BuiltInPrior = "gp";

    // The file plus multipart framing (boundaries, part headers).
    private const int MaxRequestBytes = Prior.MaxContentBytes + (64 * 1024);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Maps the routes into <paramref name="projects"/> (the <c>/api/v1/projects/{project}</c> group).</summary>
    public static RouteGroupBuilder MapPriorsApi(this RouteGroupBuilder projects)
    {
        projects.MapPost("/priors", PushAsync)
            .WithName("PushPrior")
            .WithSummary("Push a prior: a Python source file in the multipart field `file`; its file name (without .py) names the prior.")
            .AddOpenApiOperationTransformer(OpenApiExtensions.RequestBody("multipart/form-data", "The Python source in the field `file` (UTF-8, at most 1 MiB).", binaryFile: true))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        projects.MapGet("/priors", ListAsync)
            .WithName("ListPriors")
            .WithSummary("Every version of every prior in the project, newest first.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return projects;
    }

    /// <summary>
    /// Stores a new version (201) or, when the same name already has identical content, answers with that
    /// version (200) and stores nothing.
    /// </summary>
    internal static async Task<Results<Created<PriorVersion>, Ok<PriorVersion>, ValidationProblem, ProblemHttpResult>> PushAsync(
        string project, HttpContext context, TokensDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var token = context.Token();
        if (await db.FindVisibleProjectAsync(project, token.UserId, cancellationToken) is not { } projectId)
        {
            return ProjectAccess.ProjectNotFound(project);
        }

        var upload = await ReadUploadAsync(context.Request, cancellationToken);
        if (upload.Problem is not null)
        {
            return upload.Problem;
        }

        if (upload.Invalid is not null)
        {
            return upload.Invalid;
        }

        var (name, bytes, text) = (upload.Name!, upload.Bytes!, upload.Text!);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));

        // Two pushes may race for the same next version; the unique (project, name, version) index lets one
        // win and the other retries with a fresh read.
        for (var attempt = 0; ; attempt++)
        {
            var existing = await db.Priors.AsNoTracking()
                .Where(p => p.ProjectId == projectId && p.Name == name && p.Sha256 == sha256)
                .OrderBy(p => p.Version)
                .FirstOrDefaultAsync(cancellationToken);
            if (existing is not null)
            {
                var pushedBy = await db.Users.Where(u => u.Id == existing.PushedByUserId).Select(u => u.Email).FirstOrDefaultAsync(cancellationToken);
                return TypedResults.Ok(PriorVersion.From(existing, project, pushedBy));
            }

            var latest = await db.Priors.Where(p => p.ProjectId == projectId && p.Name == name)
                .MaxAsync(p => (int?)p.Version, cancellationToken) ?? 0;
            var prior = new Prior
            {
                Id = Guid.NewGuid(),
                ProjectId = projectId,
                Name = name,
                Version = latest + 1,
                Sha256 = sha256,
                SizeBytes = bytes.Length,
                Content = text,
                PushedAt = time.GetUtcNow(),
                PushedByUserId = token.UserId,
                TokenPrefix = token.Prefix,
            };
            db.Priors.Add(prior);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                var version = PriorVersion.From(prior, project, token.UserName);
                return TypedResults.Created($"/api/v1/projects/{project}/priors", version);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>Every version of every prior, newest first.</summary>
    internal static async Task<Results<Ok<PriorList>, ProblemHttpResult>> ListAsync(
        string project, HttpContext context, TokensDbContext db, CancellationToken cancellationToken)
    {
        if (await db.FindVisibleProjectAsync(project, context.Token().UserId, cancellationToken) is not { } projectId)
        {
            return ProjectAccess.ProjectNotFound(project);
        }

        var rows = await db.Priors.AsNoTracking()
            .Where(p => p.ProjectId == projectId)
            .OrderByDescending(p => p.PushedAt).ThenBy(p => p.Name).ThenByDescending(p => p.Version)
            .Select(p => new { Prior = p, Email = db.Users.Where(u => u.Id == p.PushedByUserId).Select(u => u.Email).FirstOrDefault() })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new PriorList { Items = rows.ConvertAll(r => PriorVersion.From(r.Prior, project, r.Email)) });
    }

    private static async Task<Upload> ReadUploadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType || !request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return Upload.Bad("file", "Send the prior as multipart/form-data with the Python source in a field named \"file\".");
        }

        var body = await BoundedBody.ReadAsync(request, MaxRequestBytes, cancellationToken);
        if (body is null)
        {
            return new Upload { Problem = ApiProblems.TooLarge("A prior", Prior.MaxContentBytes) };
        }

        IFormCollection form;
        try
        {
            request.Body = new MemoryStream(body, writable: false);
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException)
        {
            return Upload.Bad("file", "The multipart body is malformed.");
        }

        var file = form.Files.GetFile("file");
        if (file is null)
        {
            return Upload.Bad("file", "The multipart body has no file field named \"file\".");
        }

        if (file.Length > Prior.MaxContentBytes)
        {
            return new Upload { Problem = ApiProblems.TooLarge("A prior", Prior.MaxContentBytes) };
        }

        // Browsers and some clients send a path; only the last segment names the prior.
        var fileName = Path.GetFileName(file.FileName.Replace('\\', '/'));
        if (!fileName.EndsWith(".py", StringComparison.Ordinal))
        {
            return Upload.Bad("file", $"The file name \"{fileName}\" must end in .py: a prior is a Python source file.");
        }

        var name = fileName[..^3];
        if (!NamePattern().IsMatch(name))
        {
            return Upload.Bad("file", $"The prior name \"{name}\" (the file name without .py) must be 1–100 characters: letters, digits, '_', '-' or '.', starting with a letter or digit.");
        }

        if (string.Equals(name, BuiltInPrior, StringComparison.OrdinalIgnoreCase))
        {
            return Upload.Bad("file", "The prior name \"gp\" is reserved for the built-in Gaussian-process prior; rename the file.");
        }

        var bytes = new byte[file.Length];
        await using (var stream = file.OpenReadStream())
        {
            await stream.ReadExactlyAsync(bytes, cancellationToken);
        }

        if (bytes.Length == 0)
        {
            return Upload.Bad("file", "The file is empty.");
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Upload.Bad("file", "The file is not UTF-8 text.");
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            return Upload.Bad("file", "The file contains NUL characters; a prior must be text.");
        }

        return new Upload { Name = name, Bytes = bytes, Text = text };
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$", RegexOptions.CultureInvariant)]
    internal static partial Regex NamePattern();

    private sealed class Upload
    {
        public string? Name { get; init; }

        public byte[]? Bytes { get; init; }

        public string? Text { get; init; }

        public ValidationProblem? Invalid { get; init; }

        public ProblemHttpResult? Problem { get; init; }

        public static Upload Bad(string field, string message) => new() { Invalid = ApiProblems.Invalid(field, message) };
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
