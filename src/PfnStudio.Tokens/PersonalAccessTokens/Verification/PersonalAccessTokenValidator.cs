using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Audit;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.PersonalAccessTokens.Verification;

/// <summary>
/// The hot path behind the bearer scheme (DESIGN.md steps 3–5), in this order:
/// <list type="number">
/// <item>a token that failed verification moments ago is refused from memory (<see cref="FailedTokenMemo"/>),
/// after <see cref="HotPathOptions.RefusalDelayMilliseconds"/>;</item>
/// <item>a token verified before in this process (<see cref="VerifiedTokenCache"/>) costs one prepared point read
/// of its row (<see cref="TokenStateReader"/>): revocation and expiry are the store's current state on every
/// request, whichever process changed them; no Argon2;</item>
/// <item>otherwise, an address that sent too many refused tokens is refused (throttled, 429, after the same delay); else the
/// row's state is read with the same prepared read as the warm path and the token's SHA-256 compared in fixed time with the
/// row's <c>SecretSha256</c>: an unknown prefix, a revoked row and a wrong secret are refused there, without a
/// <see cref="TokensDbContext"/> and without any Argon2 run. Only the correct token reads its whole row with its owner. Only the correct token goes on to the Argon2id hash (bounded by
/// <see cref="Argon2Options.MaxConcurrentHashes"/>), once per token per process, and is remembered;</item>
/// <item>revoked, an owner account that is disabled, or <c>now &gt;= ExpiresAt</c> is refused (the owner's
/// disabled state is read in the same statement as the token's row, so a disable is seen by the next request on
/// every host); success records "last used" in memory only
/// (<see cref="LastUsedRecorder"/>), never a store write per request.</item>
/// </list>
/// Every refusal of a token that is not the correct one — unknown prefix, revoked, wrong secret — takes the same
/// path after the row read and waits the same <see cref="HotPathOptions.RefusalDelayMilliseconds"/>, so neither
/// the answer nor its timing tells whether a prefix is live.
/// A wrong secret or a revoked token for a prefix that has a stored row, and an expired token's use, are noted for the
/// owner's audit trail in memory (<see cref="AuditRecorder"/>: at most one per token and kind per minute), written in
/// batches by <see cref="AuditFlushService"/>; an unknown prefix is never recorded.
/// </summary>
/// <remarks>
/// A singleton: the warm path touches no scoped service; the cold path opens its own scope for the
/// <see cref="TokensDbContext"/>.
/// </remarks>
internal sealed class PersonalAccessTokenValidator(
    IServiceScopeFactory scopes,
    Argon2idTokenHasher hasher,
    VerifiedTokenCache verified,
    FailedTokenMemo failedTokens,
    ClientFailureLimiter clientFailures,
    TokenStateReader states,
    LastUsedRecorder lastUsed,
    AuditRecorder audit,
    IOptions<HotPathOptions> options,
    TimeProvider time)
{
    private static readonly Func<TokensDbContext, string, CancellationToken, Task<Candidate?>> FindByPrefix =
        EF.CompileAsyncQuery((TokensDbContext db, string prefix, CancellationToken _) =>
            db.PersonalAccessTokens.AsNoTracking()
                .Where(t => t.Prefix == prefix)
                .Select(t => new Candidate(
                    t.Id, t.Name, t.Prefix, t.Hash, t.SecretSha256, t.Scopes, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.UserId, t.User!.UserName,
                    t.User!.DisabledAt, t.OrganizationId, t.Organization!.Slug, t.ProjectIds))
                .FirstOrDefault());

    private static readonly TokenValidationResult InvalidResult = new(TokenValidationStatus.Invalid, null);

    private readonly TimeSpan _refusalDelay = TimeSpan.FromMilliseconds(options.Value.RefusalDelayMilliseconds);

    // Verifications running now, by presented token: concurrent first uses of one token share one Argon2 run.
    private readonly ConcurrentDictionary<TokenDigest, Lazy<Task<Verification>>> _inFlight = new();

    private enum Outcome
    {
        Matches,
        DoesNotMatch,
        Throttled,
    }

    /// <summary>Validates a well-formed token whose prefix was already extracted.</summary>
    /// <param name="token">The presented token, already checked by <see cref="PersonalAccessTokenFormat.TryGetPrefix"/>.</param>
    /// <param name="prefix">Its prefix.</param>
    /// <param name="client">The caller's address (failed verifications are limited per address).</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    /// <exception cref="HashingBusyException">Argon2 stayed at capacity for the whole queue timeout.</exception>
    /// <exception cref="System.Data.Common.DbException">The store could not be read.</exception>
    public async Task<TokenValidationResult> ValidateAsync(string token, string prefix, string client, CancellationToken cancellationToken)
    {
        var digest = TokenDigest.Of(token);
        if (failedTokens.IsKnownFailure(digest))
        {
            await DelayRefusalAsync(cancellationToken);
            return InvalidResult;
        }

        TokenState? state = null;
        if (verified.TryGet(digest, out var known))
        {
            state = await states.ReadAsync(prefix, cancellationToken);
            if (state is not null && state.Id == known.Token.Id
                && string.Equals(state.Hash, known.StoredHash, StringComparison.Ordinal))
            {
                return Decide(digest, known.Token, state.RevokedAt, state.OwnerDisabledAt, state.ExpiresAt, client);
            }

            // The row is gone or was replaced: forget the verification and check from scratch.
            verified.Evict(digest);
        }
        else if (clientFailures.IsClientThrottled(client, out var retryAfter))
        {
            // Only tokens not verified before reach here: an address that sprayed wrong secrets never locks out a
            // token this process already knows, nor callers from other addresses.
            await DelayRefusalAsync(cancellationToken);
            return new TokenValidationResult(TokenValidationStatus.Throttled, null, retryAfter);
        }

        // The same prepared read as the warm path, with the row's SecretSha256: an unknown prefix, a revoked row and a
        // wrong secret are refused here, without a DbContext, so a flood of wrong tokens costs microseconds each.
        state ??= await states.ReadAsync(prefix, cancellationToken);
        if (state is null)
        {
            return await RefuseAsync(digest, client, cancellationToken);
        }

        if (state.RevokedAt is not null)
        {
            return await RefuseRevokedAsync(digest, state.Id, state.UserId, prefix, state.SecretSha256, client, cancellationToken);
        }

        if (FastCheck(state.SecretSha256, digest) == FastCheckResult.WrongSecret)
        {
            audit.RecordUse(AuditEventKind.FailedUse, state.Id, state.UserId, prefix, client, "wrong secret");
            return await RefuseAsync(digest, client, cancellationToken);
        }

        // Only the correct token (or a row without SecretSha256) reads the whole row; the checks below repeat the
        // ones above for a row changed between the two reads.
        Candidate? row;
        IReadOnlyList<string> projectSlugs = [];
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TokensDbContext>();
            row = await FindByPrefix(db, prefix, cancellationToken);

            // A fine-grained token limited to chosen projects: their slugs, for /api/v1/me. Read once per
            // verification (the list never changes after issue), never on the warm path.
            if (row is { RevokedAt: null, ProjectIds.Count: > 0 })
            {
                var ids = row.ProjectIds;
                var slugs = await db.Projects.AsNoTracking().Where(p => ids.Contains(p.Id))
                    .Select(p => new { p.Id, p.Slug }).ToDictionaryAsync(p => p.Id, p => p.Slug, cancellationToken);
                projectSlugs = ids.ConvertAll(id => slugs.GetValueOrDefault(id, "(removed project)"));
            }
        }

        if (row is null)
        {
            return await RefuseAsync(digest, client, cancellationToken);
        }

        // A revoked token is refused before any Argon2 work: nothing it could prove would change the answer.
        if (row.RevokedAt is not null)
        {
            return await RefuseRevokedAsync(digest, row.Id, row.UserId, row.Prefix, row.SecretSha256, client, cancellationToken);
        }

        // Only the correct token has this SHA-256 (119 secret bits): a wrong secret ends here, in microseconds,
        // so a flood of them from any number of addresses costs no Argon2 run.
        if (FastCheck(row.SecretSha256, digest) == FastCheckResult.WrongSecret)
        {
            audit.RecordUse(AuditEventKind.FailedUse, row.Id, row.UserId, row.Prefix, client, "wrong secret");
            return await RefuseAsync(digest, client, cancellationToken);
        }

        var authenticated = new AuthenticatedToken(
            row.Id, row.Name, row.Prefix, row.Scopes, row.CreatedAt, row.ExpiresAt, row.UserId, row.UserName,
            row.OrganizationId, row.OrganizationSlug, row.ProjectIds, projectSlugs);
        var verification = _inFlight.GetOrAdd(digest, _ => new Lazy<Task<Verification>>(
            () => VerifyAndRememberAsync(digest, token, client, authenticated, row.Hash, backfillSha256: row.SecretSha256 is null)));
        Verification outcome;
        try
        {
            outcome = await verification.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<TokenDigest, Lazy<Task<Verification>>>(digest, verification));
        }

        switch (outcome.Result)
        {
            case Outcome.Matches:
                return Decide(digest, authenticated, row.RevokedAt, row.OwnerDisabledAt, row.ExpiresAt, client);
            case Outcome.Throttled:
                await DelayRefusalAsync(cancellationToken);
                return new TokenValidationResult(TokenValidationStatus.Throttled, null, outcome.RetryAfter);
            default:
                audit.RecordUse(AuditEventKind.FailedUse, row.Id, row.UserId, row.Prefix, client, "wrong secret");
                await DelayRefusalAsync(cancellationToken);
                return InvalidResult;
        }
    }

    /// <summary>
    /// Finds the active token that <paramref name="token"/> is, exactly — for a leaked-token report, never for a
    /// request. The row is read by prefix with the same query as <see cref="ValidateAsync"/> and the whole token is
    /// proven with the same fast check (its SHA-256 against the row's <c>SecretSha256</c>, in fixed time), so a
    /// prefix alone or a wrong secret never matches and costs no Argon2 run. Only a row without <c>SecretSha256</c>
    /// (issued before it existed and not used since) is proven with Argon2id. Revoked and expired tokens are not
    /// active; a disabled owner's are. Nothing is recorded or counted: no audit row, no failure against an address, no
    /// "last used".
    /// </summary>
    /// <param name="token">The string found, already checked by <see cref="PersonalAccessTokenFormat.TryGetPrefix"/>.</param>
    /// <param name="prefix">Its prefix.</param>
    /// <param name="cancellationToken">Cancels the store read.</param>
    /// <returns>The token's id, owner and prefix, or <see langword="null"/> when it is not an active token.</returns>
    /// <exception cref="HashingBusyException">A row without SHA-256 needed Argon2, which stayed at capacity.</exception>
    /// <exception cref="System.Data.Common.DbException">The store could not be read.</exception>
    public async Task<ActiveTokenMatch?> FindActiveAsync(string token, string prefix, CancellationToken cancellationToken)
    {
        Candidate? row;
        await using (var scope = scopes.CreateAsyncScope())
        {
            row = await FindByPrefix(scope.ServiceProvider.GetRequiredService<TokensDbContext>(), prefix, cancellationToken);
        }

        // A disabled owner's token counts as active here: enabling the account again must not bring a leaked token back.
        if (row is null || row.RevokedAt is not null || (row.ExpiresAt is { } expiry && time.GetUtcNow() >= expiry))
        {
            return null;
        }

        var proven = FastCheck(row.SecretSha256, TokenDigest.Of(token)) switch
        {
            FastCheckResult.Matches => true,
            FastCheckResult.WrongSecret => false,
            _ => await hasher.VerifyAsync(token, row.Hash, cancellationToken),
        };
        return proven ? new ActiveTokenMatch(row.Id, row.UserId, row.Prefix, row.Name) : null;
    }

    private enum FastCheckResult
    {
        Matches,
        WrongSecret,
        NoSha256,
    }

    // The fast check every path shares (state read, full row, leaked-token lookup): the presented token's SHA-256 against the row's, in fixed time.
    private static FastCheckResult FastCheck(string? secretSha256, TokenDigest digest) =>
        secretSha256 is not { } stored ? FastCheckResult.NoSha256
        : digest.Matches(stored) ? FastCheckResult.Matches
        : FastCheckResult.WrongSecret;

    // One refusal for every token that is not the correct one of a live row — unknown prefix, revoked, wrong
    // secret: it counts against the caller's address (so the 429 it leads to cannot tell a live prefix from an
    // unknown one), is remembered, and is sent after the same delay.
    private async Task<TokenValidationResult> RefuseAsync(TokenDigest digest, string client, CancellationToken cancellationToken)
    {
        if (!clientFailures.TryBeginAttempt(client, out var retryAfter))
        {
            await DelayRefusalAsync(cancellationToken);

            // A refused attempt always says how long the window has left (at least a second).
            return new TokenValidationResult(TokenValidationStatus.Throttled, null, retryAfter);
        }

        // The attempt just begun stays counted: a failure.
        failedTokens.RecordFailure(digest);
        await DelayRefusalAsync(cancellationToken);
        return InvalidResult;
    }

    private async Task<TokenValidationResult> RefuseRevokedAsync(
        TokenDigest digest, Guid id, string userId, string prefix, string? secretSha256, string client, CancellationToken cancellationToken)
    {
        audit.RecordUse(AuditEventKind.FailedUse, id, userId, prefix, client, "revoked token presented");

        // The revoked token itself, retried by a job nobody updated, must not use up its address's attempts:
        // that would lock out the replacement token issued for the same machine. Only someone who holds the
        // secret gets here, so it tells an attacker nothing.
        if (secretSha256 is { } revokedSha256 && digest.Matches(revokedSha256))
        {
            failedTokens.RecordFailure(digest);
            await DelayRefusalAsync(cancellationToken);
            return InvalidResult;
        }

        return await RefuseAsync(digest, client, cancellationToken);
    }

    // Answers from memory are slowed down on purpose (a timer, no thread, no CPU), so a client repeating wrong
    // tokens gets few answers per connection and leaves the CPU to valid callers.
    private async Task DelayRefusalAsync(CancellationToken cancellationToken)
    {
        if (_refusalDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(_refusalDelay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The caller left; the refusal stands.
            }
        }
    }

    private async Task<Verification> VerifyAndRememberAsync(
        TokenDigest digest, string token, string client, AuthenticatedToken authenticated, string storedHash, bool backfillSha256)
    {
        // A request that passed the cache check just before an earlier verification of this token finished
        // (and left the in-flight table) finds its result here instead of running Argon2 a second time.
        if (verified.TryGet(digest, out var known) && known.Token.Id == authenticated.Id
            && string.Equals(known.StoredHash, storedHash, StringComparison.Ordinal))
        {
            return new Verification(Outcome.Matches);
        }

        // For a row without SHA-256, Argon2 is the only check: the attempt is reserved before it runs, so a burst of
        // wrong secrets arriving together cannot all slip past the address's limit. A token whose SHA-256 matched is
        // the correct one: it reserves nothing, so fresh tokens of one machine waiting together for an Argon2 slot
        // never throttle each other.
        if (backfillSha256 && !clientFailures.TryBeginAttempt(client, out var retryAfter))
        {
            return new Verification(Outcome.Throttled, retryAfter);
        }

        bool? matches = null;
        try
        {
            // Not the request's cancellation: other requests may be waiting for this same run.
            matches = await hasher.VerifyAsync(token, storedHash, CancellationToken.None);
        }
        finally
        {
            // A success costs no attempt. A wrong secret uses one up, and so does "no Argon2 slot": otherwise a flood
            // that keeps Argon2 saturated would never run out of attempts.
            if (backfillSha256)
            {
                clientFailures.EndAttempt(client, failed: matches != true);
            }
            else if (matches != true)
            {
                clientFailures.CountFailure(client);
            }
        }

        if (matches == true)
        {
            verified.MarkVerified(digest, authenticated, storedHash);
            if (backfillSha256)
            {
                await BackfillSha256Async(authenticated.Id, storedHash, digest);
            }

            return new Verification(Outcome.Matches);
        }

        failedTokens.RecordFailure(digest);
        return new Verification(Outcome.DoesNotMatch);
    }

    // A row issued before SecretSha256 existed gets it from its first correct use, so from then on its wrong
    // secrets cost no Argon2 run either. Only this row, only while it has no value and still holds the hash
    // just verified; a store fault leaves it for the next process, and the request succeeds regardless.
    private async Task BackfillSha256Async(Guid id, string storedHash, TokenDigest digest)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TokensDbContext>();
            var sha256 = digest.ToHex();
            await db.PersonalAccessTokens
                .Where(t => t.Id == id && t.SecretSha256 == null && t.Hash == storedHash)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.SecretSha256, sha256));
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or DbUpdateException or InvalidOperationException)
        {
            // Best effort: the token was verified by Argon2, which stays the stored verifier.
        }
    }

    // Only a token proven correct gets here, so "disabled" tells nothing to someone holding just a prefix.
    private TokenValidationResult Decide(
        TokenDigest digest, AuthenticatedToken token, DateTimeOffset? revokedAt, DateTimeOffset? ownerDisabledAt, DateTimeOffset? expiresAt, string client)
    {
        if (revokedAt is not null)
        {
            verified.Evict(digest);
            audit.RecordUse(AuditEventKind.FailedUse, token.Id, token.UserId, token.Prefix, client, "revoked token presented");
            return InvalidResult;
        }

        // The verification stays remembered: the token is not revoked, and enabling the account makes it work
        // again without another Argon2 run.
        if (ownerDisabledAt is not null)
        {
            audit.RecordUse(AuditEventKind.FailedUse, token.Id, token.UserId, token.Prefix, client, "token of a disabled account presented");
            return new TokenValidationResult(TokenValidationStatus.OwnerDisabled, token);
        }

        // An expired token stays remembered too: forgetting it would make every retry of a job nobody updated
        // cost another Argon2 run; every request still reads the row's expiry.
        if (expiresAt is { } expiry && time.GetUtcNow() >= expiry)
        {
            audit.RecordUse(AuditEventKind.ExpiredUse, token.Id, token.UserId, token.Prefix, client, "expired token presented");
            return new TokenValidationResult(TokenValidationStatus.Expired, token);
        }

        lastUsed.Record(token.Id);
        return new TokenValidationResult(TokenValidationStatus.Valid, token);
    }

    // What a verification decided; RetryAfter is the time left in the address's window when throttled (at least 1 s).
    private readonly record struct Verification(Outcome Result, TimeSpan RetryAfter = default);

    private sealed record Candidate(
        Guid Id,
        string Name,
        string Prefix,
        string Hash,
        string? SecretSha256,
        List<string> Scopes,
        DateTimeOffset CreatedAt,
        DateTimeOffset? ExpiresAt,
        DateTimeOffset? RevokedAt,
        string UserId,
        string? UserName,
        DateTimeOffset? OwnerDisabledAt,
        Guid? OrganizationId,
        string? OrganizationSlug,
        List<Guid> ProjectIds);
}

/// <summary>An active stored token proven equal to a presented string (<see cref="PersonalAccessTokenValidator.FindActiveAsync"/>).</summary>
/// <param name="Id">The token's id.</param>
/// <param name="UserId">Its owner.</param>
/// <param name="Prefix">Its public prefix.</param>
/// <param name="Name">Its name.</param>
internal sealed record ActiveTokenMatch(Guid Id, string UserId, string Prefix, string Name);
