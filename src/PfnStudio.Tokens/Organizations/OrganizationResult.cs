namespace PfnStudio.Tokens.Organizations;

/// <summary>How an organization change ended.</summary>
public enum OrganizationOutcome
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
public sealed record OrganizationResult(OrganizationOutcome Outcome, string Message)
{
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
public sealed record OrganizationSummary(string Slug, string Name, Data.OrganizationRole Role, IReadOnlyList<string> Projects);

/// <summary>A member as the members page shows them.</summary>
/// <param name="UserId">The user id.</param>
/// <param name="Email">The e-mail address.</param>
/// <param name="Role">Role in the organization.</param>
/// <param name="JoinedAt">When they joined (UTC).</param>
/// <param name="ActiveTokens">Their active personal access tokens, newest first.</param>
public sealed record MemberSummary(
    string UserId,
    string Email,
    Data.OrganizationRole Role,
    DateTimeOffset JoinedAt,
    IReadOnlyList<Tokens.PersonalAccessTokenSummary> ActiveTokens);
