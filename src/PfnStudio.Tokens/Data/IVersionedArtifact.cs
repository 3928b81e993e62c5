namespace PfnStudio.Tokens.Data;

/// <summary>
/// What priors and model specs share: content pushed to a project under a name, numbered 1, 2, … per
/// (project, name) and never stored twice with identical content under one name.
/// </summary>
internal interface IVersionedArtifact
{
    Guid Id { get; }

    Guid ProjectId { get; }

    string Name { get; }

    /// <summary>1, 2, … per name within the project; the unique (project, name, version) index guards it.</summary>
    int Version { get; set; }

    /// <summary>SHA-256 of the content bytes, lower-case hex (64 characters).</summary>
    string Sha256 { get; }

    DateTimeOffset PushedAt { get; }

    string PushedByUserId { get; }
}
