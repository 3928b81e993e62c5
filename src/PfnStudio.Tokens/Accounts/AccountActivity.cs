using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Audit;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Accounts;

/// <summary>
/// The account's own audit rows (password changed or reset, two-factor on or off, signed out everywhere, disabled,
/// enabled, deleted): <see cref="AuditEvent"/>s that concern no token (an empty prefix). The account page lists
/// the newest under "Security activity"; token events stay on the API tokens page.
/// </summary>
internal sealed class AccountActivity(TokensDbContext db, TimeProvider time)
{
    /// <summary>Largest number of events <see cref="RecentAsync"/> returns.</summary>
    public const int RecentCount = 20;

    /// <summary>Adds an account event to the context (saved by the caller's next SaveChanges, in its transaction).</summary>
    /// <param name="userId">The account.</param>
    /// <param name="kind">What happened.</param>
    /// <param name="clientAddress">The requesting client's address, or <see langword="null"/> (operator, unknown).</param>
    /// <param name="detail">A short explanation (at most <see cref="AuditEvent.DetailMaxLength"/> characters).</param>
    public void Add(string userId, AuditEventKind kind, string? clientAddress, string detail) =>
        db.AuditEvents.Add(new AuditEvent
        {
            UserId = userId,
            TokenPrefix = string.Empty,
            Kind = kind,
            ClientAddress = AuditRecorder.NormalizeAddress(clientAddress),
            OccurredAt = time.GetUtcNow(),
            Detail = detail.Length <= AuditEvent.DetailMaxLength ? detail : detail[..AuditEvent.DetailMaxLength],
        });

    /// <summary>Adds an account event and saves it.</summary>
    public async Task RecordAsync(string userId, AuditEventKind kind, string? clientAddress, string detail, CancellationToken cancellationToken = default)
    {
        Add(userId, kind, clientAddress, detail);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The account's last <see cref="RecentCount"/> account events, newest first.</summary>
    public async Task<IReadOnlyList<TokenActivity>> RecentAsync(string userId, CancellationToken cancellationToken = default)
    {
        var events = await db.AuditEvents.AsNoTracking()
            .Where(e => e.UserId == userId && e.TokenPrefix == string.Empty)
            .OrderByDescending(e => e.OccurredAt)
            .ThenByDescending(e => e.Id)
            .Take(RecentCount)
            .ToListAsync(cancellationToken);
        return events.ConvertAll(e => new TokenActivity(e.OccurredAt, e.Kind, null, string.Empty, e.ClientAddress, e.Detail));
    }
}
