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
        var granted = await ValidateAccessAsync(userId, access, errors, cancellationToken);
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
        granted = await ValidateAccessAsync(userId, access, errors, cancellationToken);
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
        return IssueTokenResult.Issued(
            new PersonalAccessTokenSummary(token.Id, token.Name, token.Prefix, token.Scopes, token.CreatedAt, token.ExpiresAt, null, null, granted),
            plaintext);
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
            errors[IssueTokenResult.NameField] =
                $"You already have an active token named \"{name}\". Choose another name or revoke that one first.";
        }

        return errors.Count > 0 ? IssueTokenResult.Invalid(errors) : null;
    }

    private IQueryable<PersonalAccessToken> ActiveTokens(string userId, DateTimeOffset now) =>
        db.PersonalAccessTokens.AsNoTracking()
            .Where(t => t.UserId == userId && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now));

    private static string Truncate(string detail) =>
        detail.Length > AuditEvent.DetailMaxLength ? detail[..AuditEvent.DetailMaxLength] : detail;

    // The organization and project slugs the given tokens name, in one query each (none for full-access tokens).
    private async Task<AccessNames> NamesAsync(IReadOnlyCollection<PersonalAccessToken> tokens, CancellationToken cancellationToken)
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

    /// <summary>Most projects one fine-grained token may name.</summary>
    public const int MaxProjectsPerToken = 100;

    // The access a request asks for, checked against the store; null (with a message per field) when any part is wrong.
    private async Task<TokenAccess?> ValidateAccessAsync(
        string userId, TokenAccessRequest access, Dictionary<string, string> errors, CancellationToken cancellationToken)
    {
        var kind = access.Access?.Trim();
        var projects = (access.Projects ?? []).Select(p => p?.Trim() ?? string.Empty).Where(p => p.Length > 0).ToList();
        if (string.IsNullOrEmpty(kind) || kind == TokenAccessRequest.FullAccessValue)
        {
            // A forged or confused form: full access already reaches every project, so a project list with it is
            // a contradiction, not something to drop silently.
            if (projects.Count > 0)
            {
                errors[IssueTokenResult.ProjectsField] =
                    "A full-access token reaches every project. To limit the token to projects, choose Fine-grained.";
                return null;
            }

            return TokenAccess.Full;
        }

        if (kind != TokenAccessRequest.FineGrainedValue)
        {
            errors[IssueTokenResult.AccessField] = "Choose Full access or Fine-grained.";
            return null;
        }

        var ok = true;
        var permissions = new List<string>();
        foreach (var raw in access.Permissions ?? [])
        {
            // The operator command line passes "read,push" as one value; the page one value per checkbox.
            foreach (var part in (raw ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!PersonalAccessTokenScopes.Permissions.Contains(part))
                {
                    errors[IssueTokenResult.PermissionsField] =
                        $"\"{Shorten(part)}\" is not a permission. Choose from {string.Join(", ", PersonalAccessTokenScopes.Permissions)}.";
                    ok = false;
                }
                else if (!permissions.Contains(part))
                {
                    permissions.Add(part);
                }
            }
        }

        if (ok && permissions.Count == 0)
        {
            errors[IssueTokenResult.PermissionsField] =
                $"Choose at least one permission: {string.Join(", ", PersonalAccessTokenScopes.Permissions)}.";
            ok = false;
        }

        var organizationSlug = access.Organization?.Trim();
        if (string.IsNullOrEmpty(organizationSlug))
        {
            errors[IssueTokenResult.OrganizationField] = "Choose the organization this token may reach.";
            return null;
        }

        var membership = organizationSlug.Length > Organization.SlugMaxLength
            ? null
            : await db.Memberships.AsNoTracking()
                .Where(m => m.UserId == userId && m.Organization!.Slug == organizationSlug)
                .Select(m => new { m.OrganizationId, m.AcceptedAt })
                .FirstOrDefaultAsync(cancellationToken);
        if (membership is null)
        {
            // A missing organization and one the user is not in read the same.
            errors[IssueTokenResult.OrganizationField] = $"You are not a member of an organization \"{Shorten(organizationSlug)}\".";
            return null;
        }

        if (membership.AcceptedAt is null)
        {
            errors[IssueTokenResult.OrganizationField] =
                $"You are invited to \"{organizationSlug}\" but have not accepted yet; accept the invitation on the Organizations page first.";
            return null;
        }

        var scope = access.ProjectScope?.Trim();
        if (string.IsNullOrEmpty(scope))
        {
            scope = projects.Count > 0 ? TokenAccessRequest.ChosenProjectsValue : TokenAccessRequest.AllProjectsValue;
        }

        var projectIds = new List<Guid>();
        var projectSlugs = new List<string>();
        if (scope == TokenAccessRequest.AllProjectsValue)
        {
            if (projects.Count > 0)
            {
                errors[IssueTokenResult.ProjectsField] = "Choose All projects or pick projects, not both.";
                return null;
            }
        }
        else if (scope == TokenAccessRequest.ChosenProjectsValue)
        {
            if (projects.Count == 0)
            {
                errors[IssueTokenResult.ProjectsField] = "Choose at least one project, or All projects.";
                return null;
            }

            if (projects.Count > MaxProjectsPerToken)
            {
                errors[IssueTokenResult.ProjectsField] = $"A token may name at most {MaxProjectsPerToken} projects; choose All projects instead.";
                return null;
            }

            if (projects.GroupBy(p => p, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                errors[IssueTokenResult.ProjectsField] = $"Project \"{Shorten(twice.Key)}\" is listed twice.";
                return null;
            }

            var organizationId = membership.OrganizationId;
            var found = await db.Projects.AsNoTracking()
                .Where(p => p.OrganizationId == organizationId && projects.Contains(p.Slug))
                .ToDictionaryAsync(p => p.Slug, p => p.Id, StringComparer.Ordinal, cancellationToken);
            if (projects.FirstOrDefault(p => !found.ContainsKey(p)) is { } missing)
            {
                errors[IssueTokenResult.ProjectsField] = $"\"{Shorten(missing)}\" is not a project of \"{organizationSlug}\".";
                return null;
            }

            foreach (var slug in projects)
            {
                projectIds.Add(found[slug]);
                projectSlugs.Add(slug);
            }
        }
        else
        {
            errors[IssueTokenResult.ProjectsField] = "Choose All projects or Only chosen projects.";
            return null;
        }

        return ok
            ? new TokenAccess([.. PersonalAccessTokenScopes.Permissions.Where(permissions.Contains)], membership.OrganizationId, organizationSlug, projectIds, projectSlugs)
            : null;
    }

    // What a message quotes of a value as sent: enough to recognise it, never a wall of text.
    private static string Shorten(string value) => value.Length > 64 ? value[..64] + "…" : value;

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
