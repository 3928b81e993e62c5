namespace PfnStudio.Tokens.Data;

/// <summary>What a member may do in an organization.</summary>
internal enum OrganizationRole
{
    /// <summary>Uses the organization's projects through the API.</summary>
    Member = 0,

    /// <summary>Also adds and removes members, changes roles below owner, creates projects.</summary>
    Admin = 1,

    /// <summary>Everything an admin may, and grants or removes ownership.</summary>
    Owner = 2,
}

/// <summary>
/// A user's membership of an organization, with a role. One row per (organization, user). A row with
/// <see cref="AcceptedAt"/> unset is an invitation: the invited person has not consented yet, so it grants no
/// project access and gives the organization's owners and admins no sight of, or power over, their tokens.
/// </summary>
internal sealed class Membership
{
    /// <summary>The organization.</summary>
    public Guid OrganizationId { get; set; }

    /// <summary>The organization.</summary>
    public Organization? Organization { get; set; }

    /// <summary>The member's user id.</summary>
    public required string UserId { get; set; }

    /// <summary>The member.</summary>
    public ApplicationUser? User { get; set; }

    /// <summary>The member's role.</summary>
    public OrganizationRole Role { get; set; }

    /// <summary>When the membership (or invitation) was created (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// When the user accepted (UTC); <see langword="null"/> while it is a pending invitation. Set at creation for
    /// sign-up, creating your own organization and the operator's command line.
    /// </summary>
    public DateTimeOffset? AcceptedAt { get; set; }
}
