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
    : PeriodicFlushService<KeyValuePair<Guid, DateTimeOffset>>(TimeSpan.FromSeconds(options.Value.LastUsedFlushSeconds), time, scopes)
{
    /// <inheritdoc />
    protected override int PendingCount => recorder.PendingCount;

    /// <inheritdoc />
    protected override IReadOnlyList<KeyValuePair<Guid, DateTimeOffset>> Drain() => recorder.Drain();

    /// <inheritdoc />
    protected override void Restore(IReadOnlyList<KeyValuePair<Guid, DateTimeOffset>> batch) => recorder.Restore(batch);

    /// <inheritdoc />
    protected override async Task<int> WriteAsync(
        IServiceProvider services, IReadOnlyList<KeyValuePair<Guid, DateTimeOffset>> batch, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<TokensDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var (id, instant) in batch)
        {
            await db.PersonalAccessTokens
                .Where(t => t.Id == id && (t.LastUsedAt == null || t.LastUsedAt < instant))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, instant), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return batch.Count;
    }

    /// <inheritdoc />
    protected override void OnFlushed(int count) => TokenLog.LastUsedFlushed(logger, count);

    /// <inheritdoc />
    protected override void OnFlushFault(Exception exception, int count) => TokenLog.LastUsedFlushFailed(logger, exception, count);
}
