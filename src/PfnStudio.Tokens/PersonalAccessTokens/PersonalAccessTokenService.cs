using System.Globalization;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Audit;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Infrastructure;
using PfnStudio.Tokens.PersonalAccessTokens.Verification;

namespace PfnStudio.Tokens.PersonalAccessTokens;

/// <summary>
/// Issues, lists and revokes a user's personal access tokens. Validation rules live here, once, for the
/// page and any other caller: name trimmed, NFC, 1–100 code points, following <see cref="DisplayNameRule"/>,
/// unique among the user's active tokens; expiry blank (never) or a whole number of days from 1 to 3650.
/// </summary>
internal sealed class PersonalAccessTokenService(
    TokensDbContext db,
    Argon2idTokenHasher hasher,
    VerifiedTokenCache verified,
    TimeProvider time,
    ILogger<PersonalAccessTokenService> logger)
{
    /// <summary>Largest allowed expiry, in days (about ten years).</summary>
    public const int MaxExpiresInDays = 3650;

    /// <summary>
    /// Issues a token named <paramref name="name"/> for <paramref name="userId"/>, expiring at
    /// issue time + <paramref name="expiresInDays"/> × 24 h (UTC) or never when blank.
    /// </summary>
    /// <param name="userId">The owner.</param>
    /// <param name="name">The name as typed; trimmed here.</param>
    /// <param name="expiresInDays">The expiry as typed: blank, or a whole number of days.</param>
    /// <param name="issueRequestId">Identifies the form that asked; a second request with the same id mints nothing.</param>
    /// <param name="cancellationToken">Cancels the store calls.</param>
    /// <returns>The plaintext (once), validation messages, or <see cref="IssueTokenResult.AlreadyIssued"/>.</returns>
    /// <exception cref="HashingBusyException">Argon2 stayed at capacity for the whole queue timeout.</exception>
    public async Task<IssueTokenResult> IssueAsync(
        string userId, string? name, string? expiresInDays, Guid? issueRequestId, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string>();
        var trimmedName = ValidateName(name, errors);
        var days = ValidateExpiresInDays(expiresInDays, errors);

        // Cheap checks first, so an obvious duplicate costs no Argon2 work.
        var now = time.GetUtcNow();
        var early = await CheckDuplicatesAsync(userId, trimmedName, issueRequestId, now, errors, cancellationToken);
        if (early is not null)
        {
            return early;
        }

        var plaintext = PersonalAccessTokenFormat.Generate();
        PersonalAccessTokenFormat.TryGetPrefix(plaintext, out var prefix);
        var hash = await hasher.HashAsync(plaintext, cancellationToken);

        // Check and insert in one write transaction (BEGIN IMMEDIATE on SQLite), so of two requests racing
        // with one name or one form, exactly one issues and the other gets the message.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (db.Database.IsNpgsql())
        {
            // PostgreSQL's READ COMMITTED lets two transactions pass the same check: serialize per user instead.
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtextextended({userId}, 0))", cancellationToken);
        }
        now = time.GetUtcNow();
        var late = await CheckDuplicatesAsync(userId, trimmedName, issueRequestId, now, errors, cancellationToken);
        if (late is not null)
        {
            return late;
        }

        var token = new PersonalAccessToken
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            Name = trimmedName!,
            Prefix = prefix,
            Hash = hash,
            SecretSha256 = TokenDigest.Of(plaintext).ToHex(),
            Scopes = [PersonalAccessTokenScopes.Pat],
            CreatedAt = now,
            ExpiresAt = days is { } d ? now.AddDays(d) : null,
            IssueRequestId = issueRequestId,
        };
        db.PersonalAccessTokens.Add(token);
        db.AuditEvents.Add(new AuditEvent
        {
            UserId = userId,
            TokenId = token.Id,
            TokenPrefix = prefix,
            Kind = AuditEventKind.Issued,
            OccurredAt = now,
            Detail = days is { } expiry ? $"issued, expires in {expiry} {(expiry == 1 ? "day" : "days")}" : "issued, never expires",
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        TokenLog.Issued(logger, token.Id, token.Prefix, userId, token.ExpiresAt);
        return IssueTokenResult.Issued(PersonalAccessTokenSummary.From(token), plaintext);
    }

    /// <summary>Lists the user's tokens: active ones newest first, then ended ones most recently ended first.</summary>
    public async Task<PersonalAccessTokenLists> ListAsync(string userId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var active = await ActiveTokens(userId, now)
            .OrderByDescending(t => t.CreatedAt)
            .ToListAsync(cancellationToken);
        var ended = await db.PersonalAccessTokens.AsNoTracking()
            .Where(t => t.UserId == userId && (t.RevokedAt != null || (t.ExpiresAt != null && t.ExpiresAt <= now)))
            .OrderByDescending(t => t.RevokedAt ?? t.ExpiresAt)
            .Take(100)
            .ToListAsync(cancellationToken);

        return new PersonalAccessTokenLists(
            active.ConvertAll(PersonalAccessTokenSummary.From),
            ended.ConvertAll(PersonalAccessTokenSummary.From));
    }

    /// <summary>The active tokens of each of <paramref name="userIds"/>, newest first, in one query.</summary>
    public async Task<ILookup<string, PersonalAccessTokenSummary>> ListActiveAsync(
        IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var active = await db.PersonalAccessTokens.AsNoTracking()
            .Where(t => userIds.Contains(t.UserId) && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now))
            .OrderByDescending(t => t.CreatedAt)
            .ToListAsync(cancellationToken);
        return active.ToLookup(t => t.UserId, PersonalAccessTokenSummary.From);
    }

    /// <summary>Largest number of events <see cref="RecentActivityAsync"/> returns.</summary>
    public const int RecentActivityCount = 20;

    /// <summary>
    /// The user's last <see cref="RecentActivityCount"/> audit events (their own tokens only), newest first, each
    /// with its token's name.
    /// </summary>
    public async Task<IReadOnlyList<TokenActivity>> RecentActivityAsync(string userId, CancellationToken cancellationToken = default)
    {
        var events = await db.AuditEvents.AsNoTracking()
            .Where(e => e.UserId == userId)
            .OrderByDescending(e => e.OccurredAt)
            .ThenByDescending(e => e.Id)
            .Take(RecentActivityCount)
            .ToListAsync(cancellationToken);
        var tokenIds = events.Select(e => e.TokenId).OfType<Guid>().Distinct().ToList();
        var names = await db.PersonalAccessTokens.AsNoTracking()
            .Where(t => t.UserId == userId && tokenIds.Contains(t.Id))
            .Select(t => new { t.Id, t.Name })
            .ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);
        return events.ConvertAll(e => new TokenActivity(
            e.OccurredAt,
            e.Kind,
            e.TokenId is { } id && names.TryGetValue(id, out var name) ? name : null,
            e.TokenPrefix,
            e.ClientAddress,
            e.Detail));
    }

    /// <summary>Revokes one of the user's tokens with the audit detail "revoked"; see the overload with a detail.</summary>
    /// <returns>The revoked token's name, or <see langword="null"/> when no such active token of this user exists.</returns>
    public Task<string?> RevokeAsync(string userId, Guid tokenId, CancellationToken cancellationToken = default) =>
        RevokeAsync(userId, tokenId, "revoked", cancellationToken);

    /// <summary>
    /// Revokes (soft-deletes) one of the user's tokens. The update is a single conditional statement, so
    /// of two revokes racing for one token exactly one wins. The next request with the token gets 401 in any
    /// process (the validator reads revocation from the store on every request); this process also forgets
    /// the token's verification at once. The winner writes a <see cref="AuditEventKind.Revoked"/> audit row in the
    /// same transaction as the update (the caller's transaction when one is open, else its own).
    /// </summary>
    /// <param name="userId">The owner.</param>
    /// <param name="tokenId">The token to revoke.</param>
    /// <param name="detail">Who revoked it and how, for the audit row, e.g. <see cref="RevocationDetails.OnThePage"/>
    /// (at most <see cref="AuditEvent.DetailMaxLength"/> characters; longer is cut).</param>
    /// <param name="cancellationToken">Cancels the store calls.</param>
    /// <returns>The revoked token's name; <see langword="null"/> when no such active token of this user exists
    /// (another user's token, a missing id and an already revoked one look the same).</returns>
    public async Task<string?> RevokeAsync(string userId, Guid tokenId, string detail, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(detail);
        var candidate = await db.PersonalAccessTokens.AsNoTracking()
            .Where(t => t.Id == tokenId && t.UserId == userId && t.RevokedAt == null)
            .Select(t => new { t.Name, t.Prefix })
            .FirstOrDefaultAsync(cancellationToken);
        if (candidate is null)
        {
            return null;
        }

        var ownTransaction = db.Database.CurrentTransaction is null
            ? await db.Database.BeginTransactionAsync(cancellationToken)
            : null;
        await using (ownTransaction)
        {
            var now = time.GetUtcNow();
            var updated = await db.PersonalAccessTokens
                .Where(t => t.Id == tokenId && t.UserId == userId && t.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
            if (updated == 0)
            {
                return null;
            }

            db.AuditEvents.Add(new AuditEvent
            {
                UserId = userId,
                TokenId = tokenId,
                TokenPrefix = candidate.Prefix,
                Kind = AuditEventKind.Revoked,
                OccurredAt = now,
                Detail = detail.Length > AuditEvent.DetailMaxLength ? detail[..AuditEvent.DetailMaxLength] : detail,
            });
            await db.SaveChangesAsync(cancellationToken);
            if (ownTransaction is not null)
            {
                await ownTransaction.CommitAsync(cancellationToken);
            }
        }

        verified.EvictToken(tokenId);
        TokenLog.Revoked(logger, tokenId, candidate.Prefix, userId);
        return candidate.Name;
    }

    private async Task<IssueTokenResult?> CheckDuplicatesAsync(
        string userId, string? name, Guid? issueRequestId, DateTimeOffset now, Dictionary<string, string> errors,
        CancellationToken cancellationToken)
    {
        if (issueRequestId is { } requestId
            && await db.PersonalAccessTokens.AnyAsync(t => t.UserId == userId && t.IssueRequestId == requestId, cancellationToken))
        {
            return IssueTokenResult.Duplicate();
        }

        if (name is not null && await ActiveTokens(userId, now).AnyAsync(t => t.Name == name, cancellationToken))
        {
            errors[IssueTokenResult.NameField] =
                $"You already have an active token named \"{name}\". Choose another name or revoke that one first.";
        }

        return errors.Count > 0 ? IssueTokenResult.Invalid(errors) : null;
    }

    private IQueryable<PersonalAccessToken> ActiveTokens(string userId, DateTimeOffset now) =>
        db.PersonalAccessTokens.AsNoTracking()
            .Where(t => t.UserId == userId && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now));

    private static string? ValidateName(string? name, Dictionary<string, string> errors)
    {
        // The shared name rule: control, bidi, zero-width and stacked combining characters would let a name
        // break or impersonate rows in tables, terminals and logs; it is refused, never cleaned.
        var check = DisplayNameRule.Check(name, PersonalAccessToken.NameMaxLength);
        if (check.Value.Length == 0 && check.IsValid)
        {
            errors[IssueTokenResult.NameField] = "Enter a token name.";
            return null;
        }

        if (!check.IsValid)
        {
            errors[IssueTokenResult.NameField] = $"The token name {check.Problem}.";
            return null;
        }

        return check.Value;
    }

    private static int? ValidateExpiresInDays(string? value, Dictionary<string, string> errors)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        const string range = "Expires in (days) must be a whole number from 1 to 3650, or blank for a token that never expires.";
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var days))
        {
            if (days is < 1 or > MaxExpiresInDays)
            {
                errors[IssueTokenResult.ExpiresInDaysField] = range;
                return null;
            }

            return days;
        }

        errors[IssueTokenResult.ExpiresInDaysField] =
            decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var number) && number != decimal.Truncate(number)
                ? "Expires in (days) must be a whole number of days, not a fraction."
                : range;
        return null;
    }
}
