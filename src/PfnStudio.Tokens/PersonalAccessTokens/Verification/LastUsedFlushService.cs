using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Infrastructure;

namespace PfnStudio.Tokens.PersonalAccessTokens.Verification;

/// <summary>
/// Writes the "last used" instants collected by <see cref="LastUsedRecorder"/> to the store once every
/// <see cref="HotPathOptions.LastUsedFlushSeconds"/> (timed by the <see cref="TimeProvider"/>), in one
/// transaction, so each token gets at most one write per interval however many requests it served; and once
/// more when the host stops. A write never moves <c>LastUsedAt</c> backwards (another host may have written later).
/// </summary>
internal sealed class LastUsedFlushService(
    LastUsedRecorder recorder,
    IServiceScopeFactory scopes,
    IOptions<HotPathOptions> options,
    TimeProvider time,
    ILogger<LastUsedFlushService> logger)
    : PeriodicFlushService(TimeSpan.FromSeconds(options.Value.LastUsedFlushSeconds), time)
{
    /// <summary>Writes every pending instant now.</summary>
    /// <returns>The number of tokens written.</returns>
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
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            foreach (var (id, instant) in batch)
            {
                await db.PersonalAccessTokens
                    .Where(t => t.Id == id && (t.LastUsedAt == null || t.LastUsedAt < instant))
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, instant), cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            TokenLog.LastUsedFlushed(logger, batch.Count);
            return batch.Count;
        }
        catch (Exception ex) when (ex is DbException or DbUpdateException or OperationCanceledException)
        {
            // Keep the instants for the next batch: "last used" is coarse, losing a write is not.
            recorder.Restore(batch);
            TokenLog.LastUsedFlushFailed(logger, ex, batch.Count);
            return 0;
        }
    }

    /// <inheritdoc />
    protected override void OnFlushFault(Exception exception) => TokenLog.LastUsedFlushFailed(logger, exception, recorder.PendingCount);
}
