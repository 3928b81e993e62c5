using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Organizations;

/// <summary>Log events of organizations, memberships and projects (ids and slugs only).</summary>
internal static partial class OrganizationLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Organization {Organization} created, owner {UserId}")]
    public static partial void OrganizationCreated(ILogger logger, string organization, string userId);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "User {UserId} joined {Organization} as {Role}")]
    public static partial void MemberAdded(ILogger logger, string organization, string userId, OrganizationRole role);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "User {UserId} in {Organization} is now {Role}")]
    public static partial void RoleChanged(ILogger logger, string organization, string userId, OrganizationRole role);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information,
        Message = "User {UserId} removed from {Organization}; {RevokedTokens} personal access tokens revoked")]
    public static partial void MemberRemoved(ILogger logger, string organization, string userId, int revokedTokens);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Project {Project} created in {Organization}")]
    public static partial void ProjectCreated(ILogger logger, string organization, string project);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Information, Message = "User {UserId} invited to {Organization} as {Role} by {ActingUserId}")]
    public static partial void MemberInvited(ILogger logger, string organization, string userId, OrganizationRole role, string actingUserId);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Information, Message = "User {UserId} accepted the invitation to {Organization} as {Role}")]
    public static partial void InvitationAccepted(ILogger logger, string organization, string userId, OrganizationRole role);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Information, Message = "User {UserId} declined the invitation to {Organization}")]
    public static partial void InvitationDeclined(ILogger logger, string organization, string userId);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Information, Message = "Invitation of user {UserId} to {Organization} cancelled")]
    public static partial void InvitationCancelled(ILogger logger, string organization, string userId);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Token policy of {Organization} set by user {UserId}: {Policy}")]
    public static partial void TokenPolicySet(ILogger logger, string organization, string userId, string policy);
}
