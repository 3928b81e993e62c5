using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.PersonalAccessTokens.Verification;

namespace PfnStudio.Tokens.PersonalAccessTokens;

/// <summary>What the tokens page and API show about a token: never its hash or plaintext.</summary>
/// <param name="Id">Public identifier.</param>
/// <param name="Name">The owner's name for it.</param>
/// <param name="Prefix">The 12-character public prefix.</param>
/// <param name="Scopes">Granted scopes.</param>
/// <param name="CreatedAt">Issue instant (UTC).</param>
/// <param name="ExpiresAt">Expiry instant (UTC), or <see langword="null"/> for never.</param>
/// <param name="RevokedAt">Revocation instant (UTC), or <see langword="null"/>.</param>
/// <param name="LastUsedAt">Last successful use (UTC, coarse), or <see langword="null"/>.</param>
/// <param name="Access">What it may reach (full access, or an organization and projects), with names to show.</param>
internal sealed record PersonalAccessTokenSummary(
    Guid Id,
    string Name,
    string Prefix,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt,
    TokenAccess Access)
{
    /// <summary>The prefix as shown in tables: <c>pfnstudio_pat_AbC123xYz789…</c>.</summary>
    public string DisplayPrefix => PersonalAccessTokenFormat.Display(Prefix);

    /// <summary>Whether the token works at <paramref name="now"/>: not revoked and <c>now &lt; ExpiresAt</c>.</summary>
    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || now < ExpiresAt);

    /// <summary>
    /// <see cref="LastUsedAt"/> as the tokens table shows it, coarse on purpose (it is written in batches, up to
    /// a minute late): "Never", "Within the last hour", "Within the last day", "Within the last week", or the
    /// UTC date (<c>yyyy-MM-dd</c>).
    /// </summary>
    /// <param name="now">The current instant (UTC).</param>
    public string DescribeLastUse(DateTimeOffset now)
    {
        if (LastUsedAt is not { } lastUsed)
        {
            return "Never";
        }

        var ago = now - lastUsed;
        return ago < TimeSpan.FromHours(1) ? "Within the last hour"
            : ago < TimeSpan.FromDays(1) ? "Within the last day"
            : ago < TimeSpan.FromDays(7) ? "Within the last week"
            : lastUsed.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The summary of <paramref name="t"/>; <paramref name="names"/> resolves organization and project slugs.</summary>
    internal static PersonalAccessTokenSummary From(PersonalAccessToken t, AccessNames names) =>
        new(t.Id, t.Name, t.Prefix, t.Scopes, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt, names.Access(t));
}

/// <summary>A user's tokens split as the page shows them; each list newest first.</summary>
/// <param name="Active">Neither revoked nor expired.</param>
/// <param name="Ended">Revoked or expired, most recently ended first.</param>
internal sealed record PersonalAccessTokenLists(
    IReadOnlyList<PersonalAccessTokenSummary> Active,
    IReadOnlyList<PersonalAccessTokenSummary> Ended);

/// <summary>The outcome of an issue request.</summary>
internal sealed class IssueTokenResult
{
    /// <summary>Form field names used as keys of <see cref="Errors"/>.</summary>
    public const string NameField = "Name", ExpiresInDaysField = "ExpiresInDays", AccessField = "Access",
        OrganizationField = "Organization", ProjectsField = "Projects", PermissionsField = "Permissions";

    /// <summary>The stored token, when one was minted.</summary>
    public PersonalAccessTokenSummary? Token { get; private init; }

    /// <summary>The plaintext, present only in the one result that minted it.</summary>
    public string? Plaintext { get; private init; }

    /// <summary>Validation messages keyed by the <c>…Field</c> names.</summary>
    public IReadOnlyDictionary<string, string> Errors { get; private init; } = new Dictionary<string, string>();

    /// <summary>The same issue request already minted a token (a re-posted form); nothing new was minted.</summary>
    public bool AlreadyIssued { get; private init; }

    /// <summary>Regenerate only: no active token of the user had that id; nothing was minted.</summary>
    public bool TokenNotFound { get; private init; }

    /// <summary>Whether a token was minted.</summary>
    public bool Succeeded => Plaintext is not null;

    internal static IssueTokenResult Issued(PersonalAccessTokenSummary token, string plaintext) =>
        new() { Token = token, Plaintext = plaintext };

    internal static IssueTokenResult Invalid(IReadOnlyDictionary<string, string> errors) => new() { Errors = errors };

    internal static IssueTokenResult Duplicate() => new() { AlreadyIssued = true };

    internal static IssueTokenResult Missing() => new() { TokenNotFound = true };
}

/// <summary>A token that authenticated a request, with its owner.</summary>
/// <param name="Id">Token id.</param>
/// <param name="Name">Token name.</param>
/// <param name="Prefix">Token prefix.</param>
/// <param name="Scopes">Granted scopes.</param>
/// <param name="CreatedAt">Issue instant (UTC).</param>
/// <param name="ExpiresAt">Expiry instant (UTC), or <see langword="null"/>.</param>
/// <param name="UserId">Owner's user id.</param>
/// <param name="UserName">Owner's user name (the e-mail address).</param>
/// <param name="OrganizationId">A fine-grained token's resource owner; <see langword="null"/> for full access.</param>
/// <param name="OrganizationSlug">Its slug.</param>
/// <param name="ProjectIds">The projects it is limited to; empty (or <see langword="null"/>) for all.</param>
/// <param name="ProjectSlugs">Their slugs, in the same order.</param>
/// <remarks>
/// The organization and projects never change after issue, so remembering them with a verification (in
/// <see cref="VerifiedTokenCache"/>) adds no store read to the warm path; membership is read per request.
/// </remarks>
internal sealed record AuthenticatedToken(
    Guid Id,
    string Name,
    string Prefix,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    string UserId,
    string? UserName,
    Guid? OrganizationId = null,
    string? OrganizationSlug = null,
    IReadOnlyList<Guid>? ProjectIds = null,
    IReadOnlyList<string>? ProjectSlugs = null)
{
    /// <summary>What the token may reach.</summary>
    public TokenAccess Access { get; } = new(Scopes, OrganizationId, OrganizationSlug, ProjectIds ?? [], ProjectSlugs ?? []);

    /// <summary>Whether the token may use a project of <paramref name="organizationId"/> with id <paramref name="projectId"/>.</summary>
    public bool Reaches(Guid organizationId, Guid projectId) =>
        OrganizationId is not { } owner
        || (owner == organizationId && (ProjectIds is null || ProjectIds.Count == 0 || ProjectIds.Contains(projectId)));
}

/// <summary>Why a presented token was accepted or refused.</summary>
internal enum TokenValidationStatus
{
    /// <summary>Known, hash verified, not revoked, not expired.</summary>
    Valid,

    /// <summary>Unknown prefix, wrong secret, or revoked: deliberately one answer.</summary>
    Invalid,

    /// <summary>Hash verified but <c>now &gt;= ExpiresAt</c>.</summary>
    Expired,

    /// <summary>Hash verified, not revoked, but the owner's account is disabled (<see cref="Data.ApplicationUser.DisabledAt"/>).</summary>
    OwnerDisabled,

    /// <summary>
    /// Not checked: the client address had too many failed verifications just now and this token was not verified
    /// before in this process (see <see cref="ClientFailureLimiter"/>). The caller may retry after
    /// <see cref="TokenValidationResult.RetryAfter"/>.
    /// </summary>
    Throttled,
}

/// <summary>The outcome of validating a presented token.</summary>
/// <param name="Status">Accepted or why not.</param>
/// <param name="Token">The token and owner; set for <see cref="TokenValidationStatus.Valid"/>, <see cref="TokenValidationStatus.Expired"/> and <see cref="TokenValidationStatus.OwnerDisabled"/>.</param>
/// <param name="RetryAfter">For <see cref="TokenValidationStatus.Throttled"/>: how long until the prefix is checked again.</param>
internal sealed record TokenValidationResult(TokenValidationStatus Status, AuthenticatedToken? Token, TimeSpan? RetryAfter = null);

/// <summary>
/// The organization and project slugs of a set of tokens, read in one query each, so listing tokens shows
/// <c>read, push · acme / gp-demo</c> without a query per row.
/// </summary>
/// <param name="Organizations">Slug by organization id.</param>
/// <param name="Projects">Slug by project id.</param>
internal sealed record AccessNames(IReadOnlyDictionary<Guid, string> Organizations, IReadOnlyDictionary<Guid, string> Projects)
{
    /// <summary>No names: for full-access tokens only.</summary>
    public static AccessNames None { get; } = new(new Dictionary<Guid, string>(), new Dictionary<Guid, string>());

    /// <summary>The access of <paramref name="t"/>, with slugs (a project gone meanwhile shows as "(removed project)").</summary>
    public TokenAccess Access(PersonalAccessToken t) =>
        t.OrganizationId is not { } organizationId
            ? new TokenAccess(t.Scopes, null, null, [], [])
            : new TokenAccess(
                t.Scopes,
                organizationId,
                Organizations.GetValueOrDefault(organizationId, "(removed organization)"),
                t.ProjectIds,
                t.ProjectIds.ConvertAll(id => Projects.GetValueOrDefault(id, "(removed project)")));
}

/// <summary>
/// The access an issue request asks for, as typed (the page's fields, the operator's options); validated by
/// <see cref="PersonalAccessTokenService"/>.
/// </summary>
/// <param name="Access"><see cref="FullAccessValue"/> (or blank) or <see cref="FineGrainedValue"/>.</param>
/// <param name="Organization">A fine-grained token's organization slug.</param>
/// <param name="ProjectScope"><see cref="AllProjectsValue"/> or <see cref="ChosenProjectsValue"/>; blank means chosen when projects are listed, else all.</param>
/// <param name="Projects">Chosen project slugs.</param>
/// <param name="Permissions">Permissions, one per item or comma-separated.</param>
internal sealed record TokenAccessRequest(
    string? Access,
    string? Organization,
    string? ProjectScope,
    IReadOnlyList<string?>? Projects,
    IReadOnlyList<string?>? Permissions)
{
    /// <summary>Form values.</summary>
    public const string FullAccessValue = "full", FineGrainedValue = "fine-grained", AllProjectsValue = "all", ChosenProjectsValue = "chosen";

    /// <summary>Full access, as every token before fine-grained ones.</summary>
    public static TokenAccessRequest FullAccess { get; } = new(FullAccessValue, null, null, null, null);
}
