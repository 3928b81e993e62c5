namespace PfnStudio.Tokens.Data;

/// <summary>What happened to a personal access token, as stored in <see cref="AuditEvent.Kind"/>.</summary>
internal enum AuditEventKind
{
    /// <summary>The token was issued (stored as <c>issued</c>).</summary>
    Issued,

    /// <summary>The token was revoked (stored as <c>revoked</c>).</summary>
    Revoked,

    /// <summary>A request presented the token's prefix with a wrong secret, or the revoked token (stored as <c>failed_use</c>).</summary>
    FailedUse,

    /// <summary>A request presented the token after its expiry (stored as <c>expired_use</c>).</summary>
    ExpiredUse,

    /// <summary>
    /// A leaked-token report (<c>POST /api/v1/tokens/leaked</c>) presented the whole token, which was then revoked
    /// (stored as <c>leak_reported</c>); <see cref="AuditEvent.Detail"/> holds the URL where it was found.
    /// </summary>
    LeakReported,

    /// <summary>An operator disabled the account (stored as <c>account_disabled</c>); concerns no token.</summary>
    AccountDisabled,

    /// <summary>An operator enabled the account again (stored as <c>account_enabled</c>); concerns no token.</summary>
    AccountEnabled,

    /// <summary>The account was deleted (stored as <c>account_deleted</c>); concerns no token.</summary>
    AccountDeleted,

    /// <summary>The owner changed the password on the account page (stored as <c>password_changed</c>); concerns no token.</summary>
    PasswordChanged,

    /// <summary>The password was set through an e-mailed reset link (stored as <c>password_reset</c>); concerns no token.</summary>
    PasswordReset,

    /// <summary>Two-factor authentication was turned on (stored as <c>two_factor_on</c>); concerns no token.</summary>
    TwoFactorEnabled,

    /// <summary>Two-factor authentication was turned off (stored as <c>two_factor_off</c>); concerns no token.</summary>
    TwoFactorDisabled,

    /// <summary>Every session was signed out with "Sign out everywhere" (stored as <c>signed_out_all</c>); concerns no token.</summary>
    SignedOutEverywhere,

    /// <summary>The owner was mailed that the token expires within 7 days (stored as <c>expiry_warned</c>).</summary>
    ExpiryWarningSent,

    /// <summary>The owner was mailed that the token has expired (stored as <c>expired_notice</c>).</summary>
    ExpiredNoticeSent,
    /// <summary>The token was minted by regenerating another on the page (stored as <c>regenerated</c>); the old one is revoked in the same transaction.</summary>
    Regenerated,

    /// <summary>The token was renamed on the page (stored as <c>renamed</c>).</summary>
    Renamed,

    /// <summary>The token was minted by rotating another through the API (stored as <c>rotated</c>); the old one is revoked in the same transaction.</summary>
    Rotated,
}

/// <summary>
/// One audit row about a personal access token, shown to its owner under "Recent activity", or about the account
/// itself (disabled, enabled, deleted: no token id, an empty prefix). Holds the token's
/// public prefix and id only, never the token or any part of its secret. Issued and revoked rows are written in
/// the same transaction as the change; failed and expired uses are written in batches by
/// the audit flush service, at most one per token, kind and window.
/// </summary>
internal sealed class AuditEvent
{
    /// <summary>Maximum length of <see cref="ClientAddress"/>: the longest textual IPv6 address (45 characters).</summary>
    public const int ClientAddressMaxLength = 45;

    /// <summary>Maximum length of <see cref="Detail"/>, in UTF-16 code units.</summary>
    public const int DetailMaxLength = 200;

    /// <summary>Store-generated, increasing: breaks ties between events of one instant (newest first).</summary>
    public long Id { get; set; }

    /// <summary>The user id of the token's owner: the only user who sees the row.</summary>
    public required string UserId { get; set; }

    /// <summary>The token's id; <see langword="null"/> when the event concerns no stored token.</summary>
    public Guid? TokenId { get; set; }

    /// <summary>The token's public 12-character prefix (never the secret); empty for an account event.</summary>
    public required string TokenPrefix { get; set; }

    /// <summary>What happened.</summary>
    public AuditEventKind Kind { get; set; }

    /// <summary>The requesting client's IP address as text (at most 45 characters), or <see langword="null"/> when unknown or not a request.</summary>
    public string? ClientAddress { get; set; }

    /// <summary>When it happened (UTC, from the <see cref="TimeProvider"/>).</summary>
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>A short explanation, e.g. "revoked on the page" (at most <see cref="DetailMaxLength"/> characters).</summary>
    public string? Detail { get; set; }
}
