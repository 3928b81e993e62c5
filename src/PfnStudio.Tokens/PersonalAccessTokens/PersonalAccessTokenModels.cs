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
internal sealed record PersonalAccessTokenSummary(
    Guid Id,
    string Name,
    string Prefix,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt)
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

    internal static PersonalAccessTokenSummary From(PersonalAccessToken t) =>
        new(t.Id, t.Name, t.Prefix, t.Scopes, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt);
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
    public const string NameField = "Name", ExpiresInDaysField = "ExpiresInDays";

    /// <summary>The stored token, when one was minted.</summary>
    public PersonalAccessTokenSummary? Token { get; private init; }

    /// <summary>The plaintext, present only in the one result that minted it.</summary>
    public string? Plaintext { get; private init; }

    /// <summary>Validation messages keyed by <see cref="NameField"/> or <see cref="ExpiresInDaysField"/>.</summary>
    public IReadOnlyDictionary<string, string> Errors { get; private init; } = new Dictionary<string, string>();

    /// <summary>The same issue request already minted a token (a re-posted form); nothing new was minted.</summary>
    public bool AlreadyIssued { get; private init; }

    /// <summary>Whether a token was minted.</summary>
    public bool Succeeded => Plaintext is not null;

    internal static IssueTokenResult Issued(PersonalAccessTokenSummary token, string plaintext) =>
        new() { Token = token, Plaintext = plaintext };

    internal static IssueTokenResult Invalid(IReadOnlyDictionary<string, string> errors) => new() { Errors = errors };

    internal static IssueTokenResult Duplicate() => new() { AlreadyIssued = true };
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
internal sealed record AuthenticatedToken(
    Guid Id,
    string Name,
    string Prefix,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    string UserId,
    string? UserName);

/// <summary>Why a presented token was accepted or refused.</summary>
internal enum TokenValidationStatus
{
    /// <summary>Known, hash verified, not revoked, not expired.</summary>
    Valid,

    /// <summary>Unknown prefix, wrong secret, or revoked: deliberately one answer.</summary>
    Invalid,

    /// <summary>Hash verified but <c>now &gt;= ExpiresAt</c>.</summary>
    Expired,

    /// <summary>
    /// Not checked: the client address had too many failed verifications just now and this token was not verified
    /// before in this process (see <see cref="ClientFailureLimiter"/>). The caller may retry after
    /// <see cref="TokenValidationResult.RetryAfter"/>.
    /// </summary>
    Throttled,
}

/// <summary>The outcome of validating a presented token.</summary>
/// <param name="Status">Accepted or why not.</param>
/// <param name="Token">The token and owner; set for <see cref="TokenValidationStatus.Valid"/> and <see cref="TokenValidationStatus.Expired"/>.</param>
/// <param name="RetryAfter">For <see cref="TokenValidationStatus.Throttled"/>: how long until the prefix is checked again.</param>
internal sealed record TokenValidationResult(TokenValidationStatus Status, AuthenticatedToken? Token, TimeSpan? RetryAfter = null);
