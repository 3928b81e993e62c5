namespace PfnStudio.Tokens.Data;

/// <summary>
/// A project in an organization: the home of priors, model specs and runs. Its <see cref="Slug"/> is unique in
/// the installation, so API paths name it alone (<c>/api/v1/projects/{slug}/…</c>).
/// </summary>
internal sealed class Project
{
    /// <summary>Maximum length of <see cref="Slug"/>.</summary>
    public const int SlugMaxLength = 64;

    /// <summary>Identifier.</summary>
    public Guid Id { get; set; }

    /// <summary>The owning organization.</summary>
    public Guid OrganizationId { get; set; }

    /// <summary>The owning organization.</summary>
    public Organization? Organization { get; set; }

    /// <summary>URL-safe unique name, e.g. <c>pfnstudio-demo</c>.</summary>
    public required string Slug { get; set; }

    /// <summary>When it was created (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
