namespace PfnStudio.Tokens.Infrastructure;

/// <summary>
/// A background service that writes what the hot path collected in memory once per interval (timed by the
/// <see cref="TimeProvider"/>, so tests move a fake clock), and once more when the host stops. A fault in one
/// batch is logged and the next tick tries again: it never stops the host (BackgroundService's default).
/// </summary>
/// <param name="interval">Time between batches.</param>
/// <param name="time">The clock the interval runs on.</param>
internal abstract class PeriodicFlushService(TimeSpan interval, TimeProvider time) : BackgroundService
{
    /// <summary>Writes everything pending now.</summary>
    /// <returns>The number of items written.</returns>
    public abstract Task<int> FlushAsync(CancellationToken cancellationToken);

    /// <summary>Logs a batch that failed with an unexpected exception (the items stay pending).</summary>
    protected abstract void OnFlushFault(Exception exception);

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
                    OnFlushFault(ex);
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
