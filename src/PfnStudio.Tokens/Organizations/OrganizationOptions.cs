namespace PfnStudio.Tokens.Organizations;

/// <summary>Organization settings, bound from the <c>Organizations</c> section.</summary>
internal sealed class OrganizationOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Organizations";

    /// <summary>Slug of the organization every installation starts with.</summary>
    public const string DefaultOrganizationSlug = "pfnstudio";

    /// <summary>Slug of the project the default organization starts with.</summary>
    public const string DefaultProjectSlug = "pfnstudio-demo";

    /// <summary>
    /// Whether a new account joins the default organization: the first account as its owner, later ones as
    /// members. Default <see langword="true"/>, so sign-up → token → <c>pfnstudio whoami</c> works at once; turn
    /// it off where membership of the default organization must be granted by hand.
    /// </summary>
    public bool JoinDefaultOnSignUp { get; set; } = true;
}
