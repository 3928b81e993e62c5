namespace PfnStudio.Tokens.Data;

/// <summary>
/// One version of a pushed model spec (YAML): the prior it uses and the Gaussian-process kernel settings.
/// Versioned like <see cref="Prior"/>; the parsed values are stored beside the original text.
/// </summary>
internal sealed class ModelSpec : IVersionedArtifact
{
    /// <summary>Maximum length of <see cref="Name"/>.</summary>
    public const int NameMaxLength = 100;

    /// <summary>Largest YAML document, in bytes (64 KiB).</summary>
    public const int MaxContentBytes = 64 * 1024;

    /// <summary>Identifier.</summary>
    public Guid Id { get; set; }

    /// <summary>The project.</summary>
    public Guid ProjectId { get; set; }

    /// <summary>The model's name (the YAML <c>name</c>).</summary>
    public required string Name { get; set; }

    /// <summary>1, 2, … per name within the project.</summary>
    public int Version { get; set; }

    /// <summary>SHA-256 of the YAML bytes, lower-case hex.</summary>
    public required string Sha256 { get; set; }

    /// <summary>Size of the YAML in bytes.</summary>
    public int SizeBytes { get; set; }

    /// <summary>The YAML as pushed.</summary>
    public required string Content { get; set; }

    /// <summary><c>gp</c> (built in) or the name of a prior pushed to the project.</summary>
    public required string PriorName { get; set; }

    /// <summary><c>rbf</c> or <c>matern52</c>.</summary>
    public required string Kernel { get; set; }

    /// <summary>Kernel lengthscale, &gt; 0, in the units of the features.</summary>
    public double Lengthscale { get; set; }

    /// <summary>Kernel output scale (signal variance), &gt; 0.</summary>
    public double Outputscale { get; set; }

    /// <summary>Observation noise variance, &gt; 0.</summary>
    public double Noise { get; set; }

    /// <summary>When it was pushed (UTC).</summary>
    public DateTimeOffset PushedAt { get; set; }

    /// <summary>The user id of who pushed it.</summary>
    public required string PushedByUserId { get; set; }

    /// <summary>The prefix of the token it was pushed with.</summary>
    public required string TokenPrefix { get; set; }
}
