using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.PersonalAccessTokens.LeakReports;

/// <summary>One red notice on the tokens page: which token was found where, and when it was revoked for it.</summary>
/// <param name="TokenName">The token's name.</param>
/// <param name="TokenPrefix">Its public prefix.</param>
/// <param name="Url">Where it was found (as reported: shown as text, never as a link).</param>
/// <param name="ReportedAt">When the report arrived (UTC); the token was revoked then.</param>
internal sealed record LeakedTokenNotice(string TokenName, string TokenPrefix, string Url, DateTimeOffset ReportedAt);

/// <summary>
/// The red notices of a user's tokens page: every <see cref="AuditEventKind.LeakReported"/> row of the user's own tokens
/// from the last <see cref="LeakedTokenReportOptions.NoticeDays"/> days (default 30), newest first, at most
/// <see cref="MaxNotices"/>. A notice goes away by itself after that period; the audit row stays in Recent activity.
/// </summary>
internal sealed class LeakedTokenNotices(TokensDbContext db, IOptions<LeakedTokenReportOptions> options, TimeProvider time)
{
    /// <summary>Most notices shown at once.</summary>
    public const int MaxNotices = 10;

    /// <summary>Days a notice stays (<see cref="LeakedTokenReportOptions.NoticeDays"/>).</summary>
    public int Days => options.Value.NoticeDays;

    /// <summary>The notices for <paramref name="userId"/>, newest first.</summary>
    public async Task<IReadOnlyList<LeakedTokenNotice>> ForUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        var since = time.GetUtcNow().AddDays(-options.Value.NoticeDays);
        var rows = await db.AuditEvents.AsNoTracking()
            .Where(e => e.UserId == userId && e.Kind == AuditEventKind.LeakReported && e.OccurredAt >= since)
            .OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Take(MaxNotices)
            .Join(db.PersonalAccessTokens.Where(t => t.UserId == userId), e => e.TokenId, t => (Guid?)t.Id,
                (e, t) => new { t.Name, e.TokenPrefix, e.Detail, e.OccurredAt, e.Id })
            .ToListAsync(cancellationToken);
        return rows.OrderByDescending(r => r.OccurredAt).ThenByDescending(r => r.Id)
            .Select(r => new LeakedTokenNotice(r.Name, r.TokenPrefix, r.Detail ?? string.Empty, r.OccurredAt)).ToList();
    }
}
