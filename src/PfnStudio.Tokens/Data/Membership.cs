namespace PfnStudio.Tokens.Data;

/// <summary>What a member may do in an organization.</summary>
public enum OrganizationRole
{
    /// <summary>Uses the organization's projects through the API.</summary>
    Member = 0,

    /// <summary>Also adds and removes members, changes roles below owner, creates projects.</summary>
    Admin = 1,

    /// <summary>Everything an admin may, and grants or removes ownership.</summary>
    Owner = 2,
}

/// <summary>A user's membership of an organization, with a role. One row per (organization, user).</summary>
public sealed class Membership
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

    /// <summary>When the user joined (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
