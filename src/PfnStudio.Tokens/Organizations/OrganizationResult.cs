namespace PfnStudio.Tokens.Organizations;

/// <summary>How an organization change ended.</summary>
internal enum OrganizationOutcome
{
    /// <summary>Done.</summary>
    Succeeded,

    /// <summary>
    /// No such organization, or the acting user is not allowed to see or change it: deliberately one answer,
    /// so the pages do not reveal which organizations exist.
    /// </summary>
    NotFound,

    /// <summary>The input was wrong (bad slug, unknown e-mail, last owner, already a member…); see the message.</summary>
    Invalid,
}

/// <summary>The outcome of an organization change, with a one-line message for people.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Message">What happened or what was wrong, in one sentence.</param>
internal sealed record OrganizationResult(OrganizationOutcome Outcome, string Message)
{
    /// <summary>The form field at fault when it is not the main one (e.g. <c>Name</c>), for pages; null otherwise.</summary>
    public string? Field { get; init; }

    /// <summary>Whether the change was made.</summary>
    public bool Succeeded => Outcome == OrganizationOutcome.Succeeded;

    internal static OrganizationResult Done(string message) => new(OrganizationOutcome.Succeeded, message);

    internal static OrganizationResult Invalid(string message) => new(OrganizationOutcome.Invalid, message);

    internal static OrganizationResult NotFound(string slug) =>
        new(OrganizationOutcome.NotFound, $"Organization \"{slug}\" not found.");
}

/// <summary>An organization as a user sees it in a list.</summary>
/// <param name="Slug">Its slug.</param>
/// <param name="Name">Its display name.</param>
/// <param name="Role">The user's role in it.</param>
/// <param name="Projects">Slugs of its projects, alphabetical.</param>
internal sealed record OrganizationSummary(string Slug, string Name, Data.OrganizationRole Role, IReadOnlyList<string> Projects);

/// <summary>A member as the members page shows them.</summary>
/// <param name="UserId">The user id.</param>
/// <param name="Email">The e-mail address.</param>
/// <param name="Role">Role in the organization.</param>
/// <param name="JoinedAt">When they accepted, i.e. joined (UTC).</param>
/// <param name="ActiveTokens">Their active personal access tokens, newest first.</param>
internal sealed record MemberSummary(
    string UserId,
    string Email,
    Data.OrganizationRole Role,
    DateTimeOffset JoinedAt,
    IReadOnlyList<PersonalAccessTokens.PersonalAccessTokenSummary> ActiveTokens);

/// <summary>What the members page shows: accepted members with their tokens, and pending invitations without.</summary>
/// <param name="Members">Accepted members, by e-mail.</param>
/// <param name="Pending">Invitations not yet accepted, by e-mail; their tokens are neither listed nor revocable.</param>
internal sealed record MemberList(IReadOnlyList<MemberSummary> Members, IReadOnlyList<PendingMemberSummary> Pending);

/// <summary>A pending invitation as the organization's owners and admins see it: no tokens.</summary>
/// <param name="UserId">The invited user's id.</param>
/// <param name="Email">Their e-mail address.</param>
/// <param name="Role">The role they get when they accept.</param>
/// <param name="InvitedAt">When they were invited (UTC).</param>
internal sealed record PendingMemberSummary(string UserId, string Email, Data.OrganizationRole Role, DateTimeOffset InvitedAt);

/// <summary>A pending invitation as the invited person sees it on the organizations page.</summary>
/// <param name="Slug">The organization's slug.</param>
/// <param name="Name">The organization's display name.</param>
/// <param name="Role">The role offered.</param>
/// <param name="InvitedAt">When the invitation was made (UTC).</param>
internal sealed record InvitationSummary(string Slug, string Name, Data.OrganizationRole Role, DateTimeOffset InvitedAt);
