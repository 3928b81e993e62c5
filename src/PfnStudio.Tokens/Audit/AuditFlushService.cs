using System.Data.Common;
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
    : PeriodicFlushService(TimeSpan.FromSeconds(options.Value.FlushSeconds), time)
{
    /// <summary>Writes every pending event now.</summary>
    /// <returns>The number of rows written.</returns>
    public override async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        var batch = recorder.Drain();
        if (batch.Count == 0)
        {
            return 0;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TokensDbContext>();
            var tokenIds = batch.Select(e => e.TokenId).OfType<Guid>().Distinct().ToList();
            var existing = (await db.PersonalAccessTokens.AsNoTracking()
                .Where(t => tokenIds.Contains(t.Id))
                .Select(t => t.Id)
                .ToListAsync(cancellationToken)).ToHashSet();
            var rows = batch.Where(e => e.TokenId is { } id && existing.Contains(id)).ToList();
            db.AuditEvents.AddRange(rows);
            await db.SaveChangesAsync(cancellationToken);
            AuditLog.Flushed(logger, rows.Count);
            return rows.Count;
        }
        catch (Exception ex) when (ex is DbException or DbUpdateException or OperationCanceledException)
        {
            recorder.Restore(batch);
            AuditLog.FlushFailed(logger, ex, batch.Count);
            return 0;
        }
    }

    /// <inheritdoc />
    protected override void OnFlushFault(Exception exception) => AuditLog.FlushFailed(logger, exception, recorder.PendingCount);
}
