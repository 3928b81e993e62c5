using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Tokens;

namespace PfnStudio.Tokens.Audit;

/// <summary>
/// Writes the failed and expired uses collected by <see cref="AuditRecorder"/> to the store once every
/// <see cref="HotPathOptions.LastUsedFlushSeconds"/> (timed by the <see cref="TimeProvider"/>), in one
/// <c>SaveChanges</c>, and once more when the host stops. Events of tokens deleted meanwhile (their owner was
/// deleted) are dropped. A failed write keeps the events for the next batch.
/// </summary>
public sealed class AuditFlushService(
    AuditRecorder recorder,
    IServiceScopeFactory scopes,
    IOptions<HotPathOptions> options,
    TimeProvider time,
    ILogger<AuditFlushService> logger) : BackgroundService
{
    /// <summary>Writes every pending event now.</summary>
    /// <returns>The number of rows written.</returns>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
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
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.LastUsedFlushSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await FlushAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // An unexpected fault must not stop the host: log, try next tick.
                    AuditLog.FlushFailed(logger, ex, recorder.PendingCount);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping; StopAsync writes what is left.
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await FlushAsync(CancellationToken.None);
        }
        catch (ObjectDisposedException)
        {
            // A host torn down without an orderly stop has no services left to write with; the log has the events.
        }
    }
}
