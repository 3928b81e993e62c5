using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Infrastructure;

namespace PfnStudio.Tokens.Audit;

/// <summary>
/// Writes the failed and expired uses collected by <see cref="AuditRecorder"/> to the store once every
/// <see cref="AuditOptions.FlushSeconds"/> (timed by the <see cref="TimeProvider"/>), in one
/// <c>SaveChanges</c>, and once more when the host stops. Events of tokens deleted meanwhile (their owner was
/// deleted) are dropped. A failed write keeps the events for the next batch.
/// </summary>
internal sealed class AuditFlushService(
    AuditRecorder recorder,
    IServiceScopeFactory scopes,
    IOptions<AuditOptions> options,
    TimeProvider time,
    ILogger<AuditFlushService> logger)
    : PeriodicFlushService<AuditEvent>(TimeSpan.FromSeconds(options.Value.FlushSeconds), time, scopes)
{
    /// <inheritdoc />
    protected override int PendingCount => recorder.PendingCount;

    /// <inheritdoc />
    protected override IReadOnlyList<AuditEvent> Drain() => recorder.Drain();

    /// <inheritdoc />
    protected override void Restore(IReadOnlyList<AuditEvent> batch) => recorder.Restore(batch);

    /// <inheritdoc />
    protected override async Task<int> WriteAsync(IServiceProvider services, IReadOnlyList<AuditEvent> batch, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<TokensDbContext>();
        var tokenIds = batch.Select(e => e.TokenId).OfType<Guid>().Distinct().ToList();
        var existing = (await db.PersonalAccessTokens.AsNoTracking()
            .Where(t => tokenIds.Contains(t.Id))
            .Select(t => t.Id)
            .ToListAsync(cancellationToken)).ToHashSet();
        var rows = batch.Where(e => e.TokenId is { } id && existing.Contains(id)).ToList();
        db.AuditEvents.AddRange(rows);
        await db.SaveChangesAsync(cancellationToken);
        return rows.Count;
    }

    /// <inheritdoc />
    protected override void OnFlushed(int count) => AuditLog.Flushed(logger, count);

    /// <inheritdoc />
    protected override void OnFlushFault(Exception exception, int count) => AuditLog.FlushFailed(logger, exception, count);
}
