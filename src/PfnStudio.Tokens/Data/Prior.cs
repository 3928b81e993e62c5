namespace PfnStudio.Tokens.Data;

/// <summary>
/// One version of a pushed prior: a Python source file, stored as UTF-8 text with its SHA-256. Versions are
/// numbered 1, 2, … per (project, name); identical content is never stored twice under one name.
/// </summary>
internal sealed class Prior : IVersionedArtifact
{
    /// <summary>Maximum length of <see cref="Name"/>.</summary>
    public const int NameMaxLength = 100;

    /// <summary>Largest content, in bytes (1 MiB).</summary>
    public const int MaxContentBytes = 1024 * 1024;

    /// <summary>Identifier.</summary>
    public Guid Id { get; set; }

    /// <summary>The project.</summary>
    public Guid ProjectId { get; set; }

    /// <summary>The prior's name: the pushed file's name without its extension.</summary>
    public required string Name { get; set; }

    /// <summary>1, 2, … per name within the project.</summary>
    public int Version { get; set; }

    /// <summary>SHA-256 of the content bytes, lower-case hex (64 characters).</summary>
    public required string Sha256 { get; set; }

    /// <summary>Size of the content in bytes.</summary>
    public int SizeBytes { get; set; }

    /// <summary>The source text.</summary>
    public required string Content { get; set; }

    /// <summary>When it was pushed (UTC).</summary>
    public DateTimeOffset PushedAt { get; set; }

    /// <summary>The user id of who pushed it.</summary>
    public required string PushedByUserId { get; set; }

    /// <summary>The prefix of the token it was pushed with.</summary>
    public required string TokenPrefix { get; set; }
}
