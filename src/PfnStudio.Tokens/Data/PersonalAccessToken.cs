namespace PfnStudio.Tokens.Data;

/// <summary>
/// A stored personal access token. The plaintext is never stored: only its public <see cref="Prefix"/>
/// and an Argon2id PHC <see cref="Hash"/>. Revocation is a soft delete (<see cref="RevokedAt"/>), so the row
/// stays for audit. All instants are UTC.
/// </summary>
internal sealed class PersonalAccessToken
{
    /// <summary>Maximum length of <see cref="Name"/>, in Unicode code points.</summary>
    public const int NameMaxLength = 100;

    /// <summary>Public identifier, used by the page to name a token to revoke.</summary>
    public Guid Id { get; set; }

    /// <summary>The owner's user id.</summary>
    public required string UserId { get; set; }

    /// <summary>The owner.</summary>
    public ApplicationUser? User { get; set; }

    /// <summary>The name the owner gave it, trimmed; unique among the owner's active tokens.</summary>
    public required string Name { get; set; }

    /// <summary>The 12 base62 characters after <c>pfnstudio_pat_</c>: public, unique, the lookup key.</summary>
    public required string Prefix { get; set; }

    /// <summary>Argon2id hash of the whole token, as a PHC string.</summary>
    public required string Hash { get; set; }

    /// <summary>
    /// SHA-256 of the whole token, lower-case hex (64 characters): the fast check that only the correct token
    /// passes, compared in fixed time before any Argon2 run, so a wrong secret costs microseconds. Null for rows
    /// issued before it existed; the first successful Argon2 verification writes it.
    /// </summary>
    public string? SecretSha256 { get; set; }

    /// <summary>
    /// Scopes granted: <c>["pat"]</c> for full access (every token issued before fine-grained tokens), else a
    /// non-empty subset of <c>read</c>, <c>push</c>, <c>predict</c> (<see cref="PersonalAccessTokens.PersonalAccessTokenScopes"/>).
    /// </summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>
    /// The resource owner of a fine-grained token: the one organization it may reach. <see langword="null"/> for a
    /// full-access token. Never changes after issue.
    /// </summary>
    public Guid? OrganizationId { get; set; }

    /// <summary>The resource owner.</summary>
    public Organization? Organization { get; set; }

    /// <summary>
    /// The projects of <see cref="OrganizationId"/> a fine-grained token is limited to; empty means all of them,
    /// those created later included. Always empty for full access. Never changes after issue.
    /// </summary>
    public List<Guid> ProjectIds { get; set; } = [];

    /// <summary>When it was issued (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The instant from which it no longer works (UTC), or <see langword="null"/> for never.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>When it was revoked (UTC), or <see langword="null"/> while not revoked.</summary>
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>When it last authenticated a request (UTC), recorded coarsely.</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>
    /// The id of the issue form that minted it, so a re-posted form (reload, back/forward) is recognised
    /// and mints nothing.
    /// </summary>
    public Guid? IssueRequestId { get; set; }

    /// <summary>
    /// The token this one replaced by regeneration (page) or rotation (API), or <see langword="null"/> for a token
    /// issued afresh. Unique: a token has at most one successor, so of two rotations racing for one token the
    /// store itself lets only one insert its successor.
    /// </summary>
    public Guid? RotatedFromId { get; set; }

    /// <summary>
    /// SHA-256 (lower-case hex) of the <c>Idempotency-Key</c> the rotation that minted this token was sent with; unique
    /// per owner. The key itself is never stored.
    /// </summary>
    public string? RotationKeyDigest { get; set; }

    /// <summary>SHA-256 (lower-case hex) of that rotation's request as understood (the expiry asked for), so a key reused for another request is refused.</summary>
    public string? RotationRequestDigest { get; set; }

    /// <summary>
    /// This token's plaintext for the replay of its rotation, until <see cref="RotationReplayUntil"/>: encrypted with
    /// AES-256-GCM under a key derived (HKDF-SHA256) from the <em>rotated</em> token's plaintext, which the store never
    /// holds, then protected with ASP.NET Core Data Protection. Cleared once the window has passed.
    /// </summary>
    public string? RotationReplaySecret { get; set; }

    /// <summary>The end of the replay window of <see cref="RotationReplaySecret"/> (UTC).</summary>
    public DateTimeOffset? RotationReplayUntil { get; set; }
}
