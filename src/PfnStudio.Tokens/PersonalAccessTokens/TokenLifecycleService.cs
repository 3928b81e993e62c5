using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Audit;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.PersonalAccessTokens.Verification;

namespace PfnStudio.Tokens.PersonalAccessTokens;

/// <summary>
/// What happens to a token after issue, besides use and revocation: <b>regenerate</b> (page, sudo mode) and
/// <b>rotate</b> (API, by the token itself) mint a successor with the same name and access and revoke the old token in
/// the same transaction; <b>rename</b> changes the name in place. The successor's access is the old token's, checked
/// again with <see cref="TokenAccessRules"/> against the owner's current memberships, so neither path can mint more than
/// the old token has. Every change writes its audit rows in the transaction that makes it.
/// </summary>
internal sealed class TokenLifecycleService(
    TokensDbContext db,
    TokenAccessRules accessRules,
    PersonalAccessTokenService tokens,
    Argon2idTokenHasher hasher,
    VerifiedTokenCache verified,
    RotationReplay replay,
    TokenMail mail,
    TimeProvider time,
    ILogger<TokenLifecycleService> logger)
{
    /// <summary>
    /// Renames one of the user's active tokens with the issue form's rules (trimmed, NFC, 1–100 code points, unique
    /// among the user's active tokens, the same message). Renaming to the current name changes and audits nothing.
    /// </summary>
    public async Task<RenameTokenResult> RenameAsync(string userId, Guid tokenId, string? name, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string>();
        var trimmed = PersonalAccessTokenService.ValidateName(name, errors);
        await using var transaction = await BeginPerUserAsync(userId, cancellationToken);
        var now = time.GetUtcNow();
        var row = await db.PersonalAccessTokens
            .FirstOrDefaultAsync(t => t.Id == tokenId && t.UserId == userId && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now), cancellationToken);
        if (row is null)
        {
            // Another user's token, a missing id and an ended one read the same.
            return RenameTokenResult.Missing;
        }

        if (trimmed is null)
        {
            return new RenameTokenResult(true, row.Name, null, errors);
        }

        if (trimmed == row.Name)
        {
            return new RenameTokenResult(true, row.Name, trimmed, errors);
        }

        if (await db.PersonalAccessTokens.AnyAsync(
                t => t.UserId == userId && t.Id != tokenId && t.Name == trimmed && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now),
                cancellationToken))
        {
            errors[IssueTokenResult.NameField] = PersonalAccessTokenService.NameInUse(trimmed);
            return new RenameTokenResult(true, row.Name, null, errors);
        }

        var oldName = row.Name;
        row.Name = trimmed;
        db.AuditEvents.Add(new AuditEvent
        {
            UserId = userId,
            TokenId = row.Id,
            TokenPrefix = row.Prefix,
            Kind = AuditEventKind.Renamed,
            OccurredAt = now,
            Detail = PersonalAccessTokenService.Truncate($"renamed from \u201c{oldName}\u201d"),
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // The name travels with a remembered verification (/api/v1/me shows it): forget it so the next use reads the new one.
        verified.EvictToken(row.Id);
        TokenLog.Renamed(logger, row.Id, row.Prefix, userId);
        return new RenameTokenResult(true, oldName, trimmed, errors);
    }

    /// <summary>
    /// Regenerates one of the user's active tokens (the page, after sudo mode): a new secret under the same name,
    /// scopes, organization and projects, expiring like an issue (blank = never, else 1–3650 days from now); the old
    /// token is revoked in the same transaction. A form posted again with the same <paramref name="requestId"/>
    /// mints nothing (<see cref="IssueTokenResult.AlreadyIssued"/>).
    /// </summary>
    /// <exception cref="HashingBusyException">Argon2 stayed at capacity for the whole queue timeout.</exception>
    public async Task<IssueTokenResult> RegenerateAsync(
        string userId, Guid tokenId, string? expiresInDays, Guid? requestId, CancellationToken cancellationToken = default)
    {
        if (await IsRepostAsync(userId, requestId, cancellationToken))
        {
            return IssueTokenResult.Duplicate();
        }

        var errors = new Dictionary<string, string>();
        var days = PersonalAccessTokenService.ValidateExpiresInDays(expiresInDays, errors);
        var old = await ActiveOwnAsync(userId, tokenId, cancellationToken);
        if (old is null)
        {
            return IssueTokenResult.Missing();
        }

        await accessRules.CheckLifetimeAsync(old.OrganizationId, days, errors, cancellationToken);
        if (errors.Count > 0)
        {
            return IssueTokenResult.Invalid(errors);
        }

        var access = await AccessOfAsync(old, errors, cancellationToken);
        if (access is null)
        {
            return IssueTokenResult.Invalid(errors);
        }

        var (plaintext, prefix, hash) = await MintSecretAsync(cancellationToken);
        await using var transaction = await BeginPerUserAsync(userId, cancellationToken);
        if (await IsRepostAsync(userId, requestId, cancellationToken))
        {
            return IssueTokenResult.Duplicate();
        }

        var now = time.GetUtcNow();
        var successor = NewSuccessor(old, access, prefix, hash, plaintext, now, days is { } d ? now.AddDays(d) : null);
        successor.IssueRequestId = requestId;
        if (!await ReplaceAsync(old, successor, access, AuditEventKind.Regenerated, "regenerated on the page",
                RevocationDetails.RegeneratedOnThePage(prefix), now, cancellationToken))
        {
            return IssueTokenResult.Missing();
        }

        await transaction.CommitAsync(cancellationToken);
        verified.EvictToken(old.Id);
        TokenLog.Replaced(logger, old.Id, old.Prefix, successor.Id, successor.Prefix, userId);
        var summary = Summary(successor, access);
        await mail.SendIssuedAsync(db, userId, summary, "regenerated", cancellationToken);
        return IssueTokenResult.Issued(summary, plaintext);
    }

    /// <summary>
    /// The longest lifetime, in days, a rotation of <paramref name="rotated"/> may give its successor: the old token's
    /// own lifetime (issue to expiry), or <see cref="PersonalAccessTokenService.MaxExpiresInDays"/> for one that never
    /// expires — further capped by <see cref="OrganizationMaxLifetimeDays"/>.
    /// </summary>
    public static int RotationLimitDays(PersonalAccessToken rotated)
    {
        var own = OwnLifetimeDays(rotated) ?? PersonalAccessTokenService.MaxExpiresInDays;
        return OrganizationMaxLifetimeDays(rotated) is { } policy ? Math.Min(own, policy) : own;
    }

    /// <summary>
    /// The maximum lifetime, in days, the organization of a fine-grained token allows (its token policy), or
    /// <see langword="null"/> for no cap or a full-access token (each organization's routes apply their own policy to
    /// those). Needs <see cref="PersonalAccessToken.Organization"/> loaded. Rotation applies it through
    /// <see cref="RotationLimitDays"/> (and, with a cap, a never-expiring token's rotation defaults to the cap).
    /// </summary>
    internal static int? OrganizationMaxLifetimeDays(PersonalAccessToken token) => token.Organization?.MaxTokenLifetimeDays;

    /// <summary>
    /// Rotates <paramref name="presented"/> (the token authenticating this request): revokes it and mints a successor
    /// with the same name and access, expiring in <paramref name="expiresInDays"/> days or, when absent, after the old
    /// token's own lifetime (never, for one that never expired, unless a policy caps it); never longer than
    /// <see cref="RotationLimitDays"/>. With an <paramref name="idempotencyKey"/>, a rotation already made with that key
    /// for this token and request is answered again (<see cref="RotateOutcome.Replayed"/>) within
    /// <see cref="RotationReplay.Window"/>; the key reused for another token or expiry is refused.
    /// </summary>
    /// <param name="presented">The authenticated token.</param>
    /// <param name="presentedPlaintext">Its plaintext, from the request only: it keys the replay copy of the answer.</param>
    /// <param name="expiresInDays">The expiry asked for, or <see langword="null"/> for the default.</param>
    /// <param name="idempotencyKey">The request's <c>Idempotency-Key</c>, already checked for form, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the store calls.</param>
    /// <exception cref="HashingBusyException">Argon2 stayed at capacity for the whole queue timeout.</exception>
    public async Task<RotateTokenResult> RotateAsync(
        AuthenticatedToken presented, string presentedPlaintext, int? expiresInDays, string? idempotencyKey,
        CancellationToken cancellationToken = default)
    {
        var userId = presented.UserId;
        var keyDigest = idempotencyKey is null ? null : Sha256Hex("pfnstudio idempotency key\n" + idempotencyKey);
        var requestDigest = RequestDigest(expiresInDays);
        var old = await db.PersonalAccessTokens.AsNoTracking().Include(t => t.Organization)
            .FirstOrDefaultAsync(t => t.Id == presented.Id, cancellationToken);
        if (old is null)
        {
            return RotateTokenResult.Conflict;
        }

        if (keyDigest is not null && await KeyedAsync(userId, keyDigest, cancellationToken) is { } earlier)
        {
            return await AnswerAsync(earlier, old, presentedPlaintext, requestDigest, cancellationToken) ?? RotateTokenResult.Conflict;
        }

        var limit = RotationLimitDays(old);
        if (expiresInDays is { } asked && (asked < 1 || asked > limit))
        {
            return RotateTokenResult.Invalid(
                $"expires_in_days must be a whole number from 1 to {limit} for this token"
                + (OwnLifetimeDays(old) is { } own && own == limit ? $" (its own lifetime was {own} days; a rotation cannot lengthen it)" : string.Empty)
                + ", or null for the old token's lifetime.");
        }

        var errors = new Dictionary<string, string>();
        var access = await AccessOfAsync(old, errors, cancellationToken);
        if (access is null)
        {
            return RotateTokenResult.AccessGone(errors.Values.First());
        }

        var (plaintext, prefix, hash) = await MintSecretAsync(cancellationToken);
        await using var transaction = await BeginPerUserAsync(userId, cancellationToken);

        // Again under the per-user lock: a rotation with this key that committed meanwhile is answered, not repeated.
        if (keyDigest is not null && await KeyedAsync(userId, keyDigest, cancellationToken) is { } concurrent)
        {
            return await AnswerAsync(concurrent, old, presentedPlaintext, requestDigest, cancellationToken) ?? RotateTokenResult.Conflict;
        }

        var now = time.GetUtcNow();

        // The replay copies are kept for the window only: every rotation clears the ones whose window has passed.
        await db.PersonalAccessTokens
            .Where(t => t.RotationReplaySecret != null && t.RotationReplayUntil <= now)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RotationReplaySecret, (string?)null), cancellationToken);

        var days = expiresInDays ?? (OwnLifetimeDays(old) is { } lifetime ? Math.Min(lifetime, limit)
            : OrganizationMaxLifetimeDays(old) is { } cap ? Math.Min(cap, limit) : null);
        var successor = NewSuccessor(old, access, prefix, hash, plaintext, now, days is { } d ? now.AddDays(d) : null);
        if (keyDigest is not null)
        {
            successor.RotationKeyDigest = keyDigest;
            successor.RotationRequestDigest = requestDigest;
            successor.RotationReplaySecret = replay.Protect(plaintext, presentedPlaintext, successor.Id);
            successor.RotationReplayUntil = now + RotationReplay.Window;
        }

        if (!await ReplaceAsync(old, successor, access, AuditEventKind.Rotated, "rotated through the API",
                RevocationDetails.RotatedThroughApi(prefix), now, cancellationToken))
        {
            // Revoked (or rotated without a key) by a concurrent request since it authenticated.
            return RotateTokenResult.Conflict;
        }

        await transaction.CommitAsync(cancellationToken);
        verified.EvictToken(old.Id);
        TokenLog.Replaced(logger, old.Id, old.Prefix, successor.Id, successor.Prefix, userId);
        return RotateTokenResult.Done(RotateOutcome.Rotated, Summary(successor, access), plaintext);
    }

    /// <summary>
    /// The replay of a rotation for a caller whose token no longer authenticates because that rotation revoked it:
    /// the presented plaintext must be the rotated token's (SHA-256 compared in fixed time), its owner enabled, the
    /// key that rotation's, the successor still active and the window open. <see langword="null"/> otherwise: the
    /// caller then gets the bearer scheme's own 401.
    /// </summary>
    public async Task<RotateTokenResult?> ReplayAsync(
        string presentedPlaintext, string prefix, int? expiresInDays, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var old = await db.PersonalAccessTokens.AsNoTracking()
            .Where(t => t.Prefix == prefix && t.RevokedAt != null && t.User!.DisabledAt == null)
            .FirstOrDefaultAsync(cancellationToken);
        if (old?.SecretSha256 is not { } stored || !TokenDigest.Of(presentedPlaintext).Matches(stored))
        {
            return null;
        }

        var earlier = await KeyedAsync(old.UserId, Sha256Hex("pfnstudio idempotency key\n" + idempotencyKey), cancellationToken);
        if (earlier is null || earlier.RotatedFromId != old.Id)
        {
            return null;
        }

        return await AnswerAsync(earlier, old, presentedPlaintext, RequestDigest(expiresInDays), cancellationToken);
    }

    // The answer for a rotation already made with this key: the same token again, or "key reused" when it was for
    // another token or expiry; null when it can no longer be given (window passed, successor ended).
    private async Task<RotateTokenResult?> AnswerAsync(
        PersonalAccessToken earlier, PersonalAccessToken old, string presentedPlaintext, string requestDigest, CancellationToken cancellationToken)
    {
        if (earlier.RotatedFromId != old.Id || earlier.RotationRequestDigest != requestDigest)
        {
            return RotateTokenResult.KeyReused;
        }

        var now = time.GetUtcNow();
        if (earlier.RevokedAt is not null || earlier.ExpiresAt <= now || earlier.RotationReplayUntil <= now
            || earlier.RotationReplaySecret is not { } secret
            || replay.Unprotect(secret, presentedPlaintext, earlier.Id) is not { } plaintext)
        {
            return null;
        }

        TokenLog.RotationReplayed(logger, old.Id, earlier.Id, earlier.Prefix, earlier.UserId);
        var names = await tokens.NamesAsync([earlier], cancellationToken);
        return RotateTokenResult.Done(RotateOutcome.Replayed, Summary(earlier, names.Access(earlier)), plaintext);
    }

    private Task<PersonalAccessToken?> KeyedAsync(string userId, string keyDigest, CancellationToken cancellationToken) =>
        db.PersonalAccessTokens.AsNoTracking().FirstOrDefaultAsync(t => t.UserId == userId && t.RotationKeyDigest == keyDigest, cancellationToken);

    // What the request asked for, as understood: the same key with another expiry is another request.
    private static string RequestDigest(int? expiresInDays) =>
        Sha256Hex("rotate\nexpires_in_days=" + (expiresInDays?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "default"));

    private static string Sha256Hex(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    // The old token's lifetime in whole days (issue and regeneration give whole days), or null for never.
    private static int? OwnLifetimeDays(PersonalAccessToken token) =>
        token.ExpiresAt is { } expiresAt ? Math.Max(1, (int)Math.Round((expiresAt - token.CreatedAt).TotalDays)) : null;

    private Task<bool> IsRepostAsync(string userId, Guid? requestId, CancellationToken cancellationToken) =>
        requestId is { } id
            ? db.PersonalAccessTokens.AnyAsync(t => t.UserId == userId && t.IssueRequestId == id, cancellationToken)
            : Task.FromResult(false);

    private Task<PersonalAccessToken?> ActiveOwnAsync(string userId, Guid tokenId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return db.PersonalAccessTokens.AsNoTracking()
            .FirstOrDefaultAsync(t => t.Id == tokenId && t.UserId == userId && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now), cancellationToken);
    }

    // The old token's access as a request, checked again now: a membership or project gone since issue refuses.
    private async Task<TokenAccess?> AccessOfAsync(PersonalAccessToken old, Dictionary<string, string> errors, CancellationToken cancellationToken)
    {
        if (old.OrganizationId is not { } organizationId)
        {
            return await accessRules.ValidateAsync(old.UserId, TokenAccessRequest.FullAccess, errors, cancellationToken);
        }

        var organization = await db.Organizations.AsNoTracking().Where(o => o.Id == organizationId).Select(o => o.Slug).FirstOrDefaultAsync(cancellationToken);
        var ids = old.ProjectIds;
        var slugs = ids.Count == 0
            ? new Dictionary<Guid, string>()
            : await db.Projects.AsNoTracking().Where(p => ids.Contains(p.Id) && p.OrganizationId == organizationId)
                .ToDictionaryAsync(p => p.Id, p => p.Slug, cancellationToken);
        if (organization is null || slugs.Count != ids.Count)
        {
            errors[IssueTokenResult.ProjectsField] =
                "A project or the organization this token was limited to no longer exists; issue a new token instead.";
            return null;
        }

        var request = new TokenAccessRequest(
            TokenAccessRequest.FineGrainedValue, organization,
            ids.Count == 0 ? TokenAccessRequest.AllProjectsValue : TokenAccessRequest.ChosenProjectsValue,
            ids.ConvertAll(id => (string?)slugs[id]), old.Scopes.ConvertAll(s => (string?)s));
        return await accessRules.ValidateAsync(old.UserId, request, errors, cancellationToken);
    }

    private async Task<(string Plaintext, string Prefix, string Hash)> MintSecretAsync(CancellationToken cancellationToken)
    {
        var plaintext = PersonalAccessTokenFormat.Generate();
        PersonalAccessTokenFormat.TryGetPrefix(plaintext, out var prefix);
        return (plaintext, prefix, await hasher.HashAsync(plaintext, cancellationToken));
    }

    // One write transaction per owner (BEGIN IMMEDIATE on SQLite; an advisory lock per user on PostgreSQL, whose
    // READ COMMITTED would let two transactions pass the same check), as issue does.
    private async Task<Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction> BeginPerUserAsync(string userId, CancellationToken cancellationToken)
    {
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtextextended({userId}, 0))", cancellationToken);
        }

        return transaction;
    }

    private static PersonalAccessToken NewSuccessor(
        PersonalAccessToken old, TokenAccess access, string prefix, string hash, string plaintext, DateTimeOffset now, DateTimeOffset? expiresAt) => new()
    {
        Id = Guid.NewGuid(),
        UserId = old.UserId,
        Name = old.Name,
        Prefix = prefix,
        Hash = hash,
        SecretSha256 = TokenDigest.Of(plaintext).ToHex(),
        Scopes = [.. access.Scopes],
        OrganizationId = access.OrganizationId,
        ProjectIds = [.. access.ProjectIds],
        CreatedAt = now,
        ExpiresAt = expiresAt,
        RotatedFromId = old.Id,
    };

    // Revokes the old token (conditionally: exactly one of two racing replacements wins) and stores its successor,
    // with an audit row for each; false, with nothing written, when the old token was no longer active.
    private async Task<bool> ReplaceAsync(
        PersonalAccessToken old, PersonalAccessToken successor, TokenAccess access, AuditEventKind kind, string how,
        string revokeDetail, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var updated = await db.PersonalAccessTokens
            .Where(t => t.Id == old.Id && t.UserId == old.UserId && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
        if (updated == 0)
        {
            return false;
        }

        db.PersonalAccessTokens.Add(successor);
        db.AuditEvents.Add(new AuditEvent
        {
            UserId = old.UserId,
            TokenId = old.Id,
            TokenPrefix = old.Prefix,
            Kind = AuditEventKind.Revoked,
            OccurredAt = now,
            Detail = PersonalAccessTokenService.Truncate(revokeDetail),
        });
        db.AuditEvents.Add(new AuditEvent
        {
            UserId = old.UserId,
            TokenId = successor.Id,
            TokenPrefix = successor.Prefix,
            Kind = kind,
            OccurredAt = now,
            Detail = PersonalAccessTokenService.Truncate($"{how}, replacing {PersonalAccessTokenFormat.Display(old.Prefix)}, {access.Describe()}, "
                + (successor.ExpiresAt is { } e ? $"expires {e.UtcDateTime:yyyy-MM-dd}" : "never expires")),
        });
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    private static PersonalAccessTokenSummary Summary(PersonalAccessToken t, TokenAccess access) =>
        new(t.Id, t.Name, t.Prefix, t.Scopes, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt, access);
}

/// <summary>The outcome of a rename.</summary>
/// <param name="Found">Whether an active token of the user had that id.</param>
/// <param name="OldName">Its name before.</param>
/// <param name="NewName">Its name now, when renamed (or unchanged); <see langword="null"/> when refused.</param>
/// <param name="Errors">Why it was refused, keyed by <see cref="IssueTokenResult.NameField"/>.</param>
internal sealed record RenameTokenResult(bool Found, string? OldName, string? NewName, IReadOnlyDictionary<string, string> Errors)
{
    /// <summary>No such active token of this user.</summary>
    public static RenameTokenResult Missing { get; } = new(false, null, null, new Dictionary<string, string>());
}

/// <summary>How a rotation ended.</summary>
internal enum RotateOutcome
{
    /// <summary>The presented token was revoked and a successor minted.</summary>
    Rotated,

    /// <summary>A rotation made earlier with the same key, token and expiry was answered again.</summary>
    Replayed,

    /// <summary>The expiry asked for is out of range.</summary>
    Invalid,

    /// <summary>The old token's organization or projects are no longer the owner's to reach.</summary>
    AccessGone,

    /// <summary>A concurrent request revoked or rotated the token first.</summary>
    Conflict,

    /// <summary>The key was used for another token or another expiry.</summary>
    KeyReused,
}

/// <summary>The outcome of a rotation, with the successor and its plaintext when one is answered.</summary>
internal sealed record RotateTokenResult(RotateOutcome Outcome, PersonalAccessTokenSummary? Token, string? Plaintext, string? Message)
{
    /// <summary>A concurrent request won.</summary>
    public static RotateTokenResult Conflict { get; } = new(RotateOutcome.Conflict, null, null, null);

    /// <summary>The key belongs to another request.</summary>
    public static RotateTokenResult KeyReused { get; } = new(RotateOutcome.KeyReused, null, null, null);

    /// <summary>A bad expiry, with the message.</summary>
    public static RotateTokenResult Invalid(string message) => new(RotateOutcome.Invalid, null, null, message);

    /// <summary>The access can no longer be granted, with the message.</summary>
    public static RotateTokenResult AccessGone(string message) => new(RotateOutcome.AccessGone, null, null, message);

    /// <summary>A successor, minted now or earlier.</summary>
    public static RotateTokenResult Done(RotateOutcome outcome, PersonalAccessTokenSummary token, string plaintext) => new(outcome, token, plaintext, null);
}
