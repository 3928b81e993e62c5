using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace PfnStudio.Tokens.Infrastructure;

/// <summary>
/// A background service that writes what the hot path collected in memory once per interval (timed by the
/// <see cref="TimeProvider"/>, so tests move a fake clock), and once more when the host stops. Each batch is
/// written in its own service scope; when the store fails (a <see cref="DbException"/>, an EF Core update
/// fault, a cancelled write) the batch goes back to the collector for the next tick. Any other fault is logged
/// and the next tick tries again: it never stops the host (BackgroundService's default).
/// </summary>
/// <typeparam name="TItem">One collected item (an audit event, a token's last-used instant).</typeparam>
/// <param name="interval">Time between batches.</param>
/// <param name="time">The clock the interval runs on.</param>
/// <param name="scopes">Where each batch gets its services (the store).</param>
internal abstract class PeriodicFlushService<TItem>(TimeSpan interval, TimeProvider time, IServiceScopeFactory scopes) : BackgroundService
{
    /// <summary>Writes everything pending now.</summary>
    /// <returns>The number of items written (0 when the batch was kept for later).</returns>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        var batch = Drain();
        if (batch.Count == 0)
        {
            return 0;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var written = await WriteAsync(scope.ServiceProvider, batch, cancellationToken);
            OnFlushed(written);
            return written;
        }
        catch (Exception ex) when (ex is DbException or DbUpdateException or OperationCanceledException)
        {
            // Keep the batch for the next tick: what is collected here is coarse, a late write is not lost.
            Restore(batch);
            OnFlushFault(ex, batch.Count);
            return 0;
        }
    }

    /// <summary>Takes everything collected so far.</summary>
    protected abstract IReadOnlyList<TItem> Drain();

    /// <summary>Puts back a batch that could not be written.</summary>
    protected abstract void Restore(IReadOnlyList<TItem> batch);

    /// <summary>The number of items waiting, for the fault log line.</summary>
    protected abstract int PendingCount { get; }

    /// <summary>Writes <paramref name="batch"/> with services from <paramref name="services"/>.</summary>
    /// <returns>The number of items written.</returns>
    protected abstract Task<int> WriteAsync(IServiceProvider services, IReadOnlyList<TItem> batch, CancellationToken cancellationToken);

    /// <summary>Logs a written batch.</summary>
    protected abstract void OnFlushed(int count);

    /// <summary>Logs a batch that failed (its <paramref name="count"/> items stay pending).</summary>
    protected abstract void OnFlushFault(Exception exception, int count);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
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
                    OnFlushFault(ex, PendingCount);
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
            // A host torn down without an orderly stop (a test host being disposed) has no services left to
            // write with; what was pending is coarse data the next use records again.
        }
    }
}
