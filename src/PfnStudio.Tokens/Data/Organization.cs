namespace PfnStudio.Tokens.Data;

/// <summary>
/// An organization: a group of people (memberships) that owns projects. Its <see cref="Slug"/> is unique in
/// the installation. Instants are UTC.
/// </summary>
internal sealed class Organization
{
    /// <summary>Maximum length of <see cref="Slug"/>.</summary>
    public const int SlugMaxLength = 64;

    /// <summary>Maximum length of <see cref="Name"/>.</summary>
    public const int NameMaxLength = 100;

    /// <summary>Identifier.</summary>
    public Guid Id { get; set; }

    /// <summary>URL-safe unique name: lower-case letters, digits and single hyphens, e.g. <c>pfnstudio</c>.</summary>
    public required string Slug { get; set; }

    /// <summary>Display name.</summary>
    public required string Name { get; set; }

    /// <summary>When it was created (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Largest lifetime, in days, of a token that may reach this organization's projects (issue to expiry); <see langword="null"/> for no cap.</summary>
    public int? MaxTokenLifetimeDays { get; set; }

    /// <summary>Whether full-access (<c>pat</c>) tokens may reach this organization's projects; when not, only fine-grained tokens do.</summary>
    public bool AllowFullAccessTokens { get; set; } = true;

    /// <summary>Its members.</summary>
    public ICollection<Membership> Memberships { get; } = [];

    /// <summary>Its projects.</summary>
    public ICollection<Project> Projects { get; } = [];
}
