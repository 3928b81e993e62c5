using System.Globalization;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Audit;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Infrastructure;
using PfnStudio.Tokens.PersonalAccessTokens.Verification;

namespace PfnStudio.Tokens.PersonalAccessTokens;

/// <summary>
/// Issues, lists and revokes a user's personal access tokens. Validation rules live here, once, for the
/// page, the operator command line and any other caller: name trimmed, NFC, 1–100 code points, following
/// <see cref="DisplayNameRule"/>, unique among the user's active tokens; expiry blank (never) or a whole number of
/// days from 1 to 3650; access full, or fine-grained (<see cref="TokenAccessRequest"/>).
/// </summary>
internal sealed class PersonalAccessTokenService(
    TokensDbContext db,
    TokenAccessRules accessRules,
    Argon2idTokenHasher hasher,
    VerifiedTokenCache verified,
    TokenMail mail,
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
    public Task<IssueTokenResult> IssueAsync(
        string userId, string? name, string? expiresInDays, Guid? issueRequestId, CancellationToken cancellationToken = default) =>
        IssueAsync(userId, name, expiresInDays, TokenAccessRequest.FullAccess, issueRequestId, cancellationToken);

    /// <summary>
    /// Issues a token named <paramref name="name"/> for <paramref name="userId"/> with the access asked for in
    /// <paramref name="access"/>: full access, or fine-grained (one organization where the user is an accepted member,
    /// all or chosen projects of it, a non-empty set of permissions). Any invalid part is a message keyed by its field
    /// and nothing is stored.
    /// </summary>
    /// <exception cref="HashingBusyException">Argon2 stayed at capacity for the whole queue timeout.</exception>
    public async Task<IssueTokenResult> IssueAsync(
        string userId, string? name, string? expiresInDays, TokenAccessRequest access, Guid? issueRequestId,
        CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string>();
        var trimmedName = ValidateName(name, errors);
        var days = ValidateExpiresInDays(expiresInDays, errors);

        // Cheap checks first, so an obvious duplicate or a bad access choice costs no Argon2 work.
        var now = time.GetUtcNow();
        var granted = await accessRules.ValidateAsync(userId, access, errors, cancellationToken);
        await accessRules.CheckLifetimeAsync(granted?.OrganizationId, days, errors, cancellationToken);
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

        // Again inside the transaction: a membership removed or a project gone since the first check refuses.
        granted = await accessRules.ValidateAsync(userId, access, errors, cancellationToken);
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
            Scopes = [.. granted!.Scopes],
            OrganizationId = granted.OrganizationId,
            ProjectIds = [.. granted.ProjectIds],
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
            Detail = Truncate($"issued, {granted.Describe()}, "
                + (days is { } expiry ? $"expires in {expiry} {(expiry == 1 ? "day" : "days")}" : "never expires")),
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        TokenLog.Issued(logger, token.Id, token.Prefix, userId, token.ExpiresAt);
        var summary = new PersonalAccessTokenSummary(token.Id, token.Name, token.Prefix, token.Scopes, token.CreatedAt, token.ExpiresAt, null, null, granted);
        await mail.SendIssuedAsync(db, userId, summary, "issued", cancellationToken);
        return IssueTokenResult.Issued(summary, plaintext);
    }

    /// <summary>Lists the user's tokens: active ones newest first (by name within the same instant), then ended ones most recently ended first.</summary>
    public async Task<PersonalAccessTokenLists> ListAsync(string userId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var active = await ActiveTokens(userId, now)
            .OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Name)
            .ToListAsync(cancellationToken);
        var ended = await db.PersonalAccessTokens.AsNoTracking()
            .Where(t => t.UserId == userId && (t.RevokedAt != null || (t.ExpiresAt != null && t.ExpiresAt <= now)))
            .OrderByDescending(t => t.RevokedAt ?? t.ExpiresAt)
            .Take(100)
            .ToListAsync(cancellationToken);

        var names = await NamesAsync([.. active, .. ended], cancellationToken);
        return new PersonalAccessTokenLists(
            active.ConvertAll(t => PersonalAccessTokenSummary.From(t, names)),
            ended.ConvertAll(t => PersonalAccessTokenSummary.From(t, names)));
    }

    /// <summary>The active tokens of each of <paramref name="userIds"/>, newest first, in one query.</summary>
    public async Task<ILookup<string, PersonalAccessTokenSummary>> ListActiveAsync(
        IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var active = await db.PersonalAccessTokens.AsNoTracking()
            .Where(t => userIds.Contains(t.UserId) && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now))
            .OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Name)
            .ToListAsync(cancellationToken);
        var names = await NamesAsync(active, cancellationToken);
        return active.ToLookup(t => t.UserId, t => PersonalAccessTokenSummary.From(t, names));
    }

    /// <summary>Largest number of events <see cref="RecentActivityAsync"/> returns.</summary>
    public const int RecentActivityCount = 20;

    /// <summary>
    /// The user's last <see cref="RecentActivityCount"/> audit events (their own tokens only), newest first, each
    /// with its token's name.
    /// </summary>
    public async Task<IReadOnlyList<TokenActivity>> RecentActivityAsync(string userId, CancellationToken cancellationToken = default)
    {
        // Account events concern no token (an empty prefix); the account page shows them (AccountActivity).
        var events = await db.AuditEvents.AsNoTracking()
            .Where(e => e.UserId == userId && e.TokenPrefix != string.Empty)
            .OrderByDescending(e => e.OccurredAt)
            .ThenByDescending(e => e.Id)
            .Take(RecentActivityCount)
            .ToListAsync(cancellationToken);
        var tokenIds = events.Select(e => e.TokenId).OfType<Guid>().Distinct().ToList();
        var rows = await db.PersonalAccessTokens.AsNoTracking()
            .Where(t => t.UserId == userId && tokenIds.Contains(t.Id))
            .ToDictionaryAsync(t => t.Id, cancellationToken);
        var names = await NamesAsync(rows.Values, cancellationToken);
        return events.ConvertAll(e => new TokenActivity(
            e.OccurredAt,
            e.Kind,
            e.TokenId is { } id && rows.TryGetValue(id, out var row) ? row.Name : null,
            e.TokenPrefix,
            e.ClientAddress,
            e.Detail,
            e.TokenId is { } tokenId && rows.TryGetValue(tokenId, out var token) ? names.Access(token).Describe() : null));
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
                Detail = Truncate(detail),
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

    /// <summary>
    /// Revokes every active token of the user, each with a <see cref="AuditEventKind.Revoked"/> audit row, all in one
    /// transaction (the caller's when one is open, else its own). Each update is conditional, so a token revoked
    /// meanwhile by someone else is neither counted nor audited twice. The next request with any of them gets 401 on
    /// every host; this process also forgets their verifications at once.
    /// </summary>
    /// <param name="userId">The owner.</param>
    /// <param name="detail">Who revoked them and how, e.g. <see cref="RevocationDetails.AllByOperatorCommandLine"/>.</param>
    /// <param name="cancellationToken">Cancels the store calls.</param>
    /// <returns>How many tokens this call revoked.</returns>
    public async Task<int> RevokeAllAsync(string userId, string detail, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(detail);
        var now = time.GetUtcNow();
        var revoked = new List<(Guid Id, string Prefix)>();
        var ownTransaction = db.Database.CurrentTransaction is null
            ? await db.Database.BeginTransactionAsync(cancellationToken)
            : null;
        await using (ownTransaction)
        {
            var active = await ActiveTokens(userId, now).Select(t => new { t.Id, t.Prefix }).ToListAsync(cancellationToken);
            foreach (var token in active)
            {
                var updated = await db.PersonalAccessTokens
                    .Where(t => t.Id == token.Id && t.UserId == userId && t.RevokedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
                if (updated == 0)
                {
                    continue;
                }

                revoked.Add((token.Id, token.Prefix));
                db.AuditEvents.Add(new AuditEvent
                {
                    UserId = userId,
                    TokenId = token.Id,
                    TokenPrefix = token.Prefix,
                    Kind = AuditEventKind.Revoked,
                    OccurredAt = now,
                    Detail = Truncate(detail),
                });
            }

            await db.SaveChangesAsync(cancellationToken);
            if (ownTransaction is not null)
            {
                await ownTransaction.CommitAsync(cancellationToken);
            }
        }

        foreach (var (id, prefix) in revoked)
        {
            verified.EvictToken(id);
            TokenLog.Revoked(logger, id, prefix, userId);
        }

        return revoked.Count;
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
            errors[IssueTokenResult.NameField] = NameInUse(name);
        }

        return errors.Count > 0 ? IssueTokenResult.Invalid(errors) : null;
    }

    /// <summary>The message for a name another active token of the owner already has (issue and rename say the same).</summary>
    internal static string NameInUse(string name) =>
        $"You already have an active token named \"{name}\". Choose another name or revoke that one first.";

    private IQueryable<PersonalAccessToken> ActiveTokens(string userId, DateTimeOffset now) =>
        db.PersonalAccessTokens.AsNoTracking()
            .Where(t => t.UserId == userId && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now));

    internal static string Truncate(string detail) => detail[..Math.Min(detail.Length, AuditEvent.DetailMaxLength)];

    // The organization and project slugs the given tokens name, in one query each (none for full-access tokens).
    internal async Task<AccessNames> NamesAsync(IReadOnlyCollection<PersonalAccessToken> tokens, CancellationToken cancellationToken)
    {
        var organizationIds = tokens.Select(t => t.OrganizationId).OfType<Guid>().Distinct().ToList();
        if (organizationIds.Count == 0)
        {
            return AccessNames.None;
        }

        var projectIds = tokens.SelectMany(t => t.ProjectIds).Distinct().ToList();
        var organizations = await db.Organizations.AsNoTracking().Where(o => organizationIds.Contains(o.Id))
            .ToDictionaryAsync(o => o.Id, o => o.Slug, cancellationToken);
        var projects = projectIds.Count == 0
            ? new Dictionary<Guid, string>()
            : await db.Projects.AsNoTracking().Where(p => projectIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Slug, cancellationToken);
        return new AccessNames(organizations, projects);
    }

    internal static string? ValidateName(string? name, Dictionary<string, string> errors)
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

    internal static int? ValidateExpiresInDays(string? value, Dictionary<string, string> errors)
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
