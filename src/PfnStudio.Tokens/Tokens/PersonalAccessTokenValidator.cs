using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Tokens;

/// <summary>
/// The hot path behind the bearer scheme (DESIGN.md steps 3–5): look the row up by its indexed prefix,
/// verify the Argon2id hash (once per process per token, see <see cref="VerifiedTokenCache"/>), then check
/// revocation and expiry (<c>now &gt;= ExpiresAt</c> is expired) against the store's current state.
/// </summary>
public sealed class PersonalAccessTokenValidator(
    TokensDbContext db,
    Argon2idTokenHasher hasher,
    VerifiedTokenCache verified,
    TimeProvider time)
{
    private static readonly Func<TokensDbContext, string, CancellationToken, Task<Candidate?>> FindByPrefix =
        EF.CompileAsyncQuery((TokensDbContext db, string prefix, CancellationToken _) =>
            db.PersonalAccessTokens.AsNoTracking()
                .Where(t => t.Prefix == prefix)
                .Select(t => new Candidate(
                    t.Id, t.Name, t.Prefix, t.Hash, t.Scopes, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.UserId, t.User!.UserName))
                .FirstOrDefault());

    /// <summary>Validates a well-formed token whose prefix was already extracted.</summary>
    /// <param name="token">The presented token, already checked by <see cref="PersonalAccessTokenFormat.TryGetPrefix"/>.</param>
    /// <param name="prefix">Its prefix.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    /// <exception cref="HashingBusyException">Argon2 stayed at capacity for the whole queue timeout.</exception>
    public async Task<TokenValidationResult> ValidateAsync(string token, string prefix, CancellationToken cancellationToken)
    {
        var row = await FindByPrefix(db, prefix, cancellationToken);
        if (row is null)
        {
            return new TokenValidationResult(TokenValidationStatus.Invalid, null);
        }

        // A revoked token is refused before any Argon2 work: nothing it could prove would change the answer.
        if (row.RevokedAt is not null)
        {
            verified.Evict(token);
            return new TokenValidationResult(TokenValidationStatus.Invalid, null);
        }

        if (!verified.IsVerified(token, row.Hash))
        {
            if (!await hasher.VerifyAsync(token, row.Hash, cancellationToken))
            {
                return new TokenValidationResult(TokenValidationStatus.Invalid, null);
            }

            verified.MarkVerified(token, row.Hash);
        }

        var authenticated = new AuthenticatedToken(
            row.Id, row.Name, row.Prefix, row.Scopes, row.CreatedAt, row.ExpiresAt, row.UserId, row.UserName);
        if (row.ExpiresAt is { } expiresAt && time.GetUtcNow() >= expiresAt)
        {
            verified.Evict(token);
            return new TokenValidationResult(TokenValidationStatus.Expired, authenticated);
        }

        return new TokenValidationResult(TokenValidationStatus.Valid, authenticated);
    }

    private sealed record Candidate(
        Guid Id,
        string Name,
        string Prefix,
        string Hash,
        List<string> Scopes,
        DateTimeOffset CreatedAt,
        DateTimeOffset? ExpiresAt,
        DateTimeOffset? RevokedAt,
        string UserId,
        string? UserName);
}
