using System.Collections.Concurrent;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Audit;

/// <summary>
/// Collects failed and expired uses of stored tokens in memory, so the hot path never writes to the store;
/// <see cref="AuditFlushService"/> writes them in one batch per interval. At most one event per token and kind
/// per <see cref="Window"/> (one minute, timed by the <see cref="TimeProvider"/>) is kept; the rest are counted
/// away. Memory is bounded: at most <see cref="MaxPending"/> events wait, and the window memo holds one instant
/// per token and kind, pruned at every drain.
/// </summary>
internal sealed class AuditRecorder(TimeProvider time)
{
    /// <summary>At most one row per token and kind in this window.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Most events waiting for a batch; more are dropped (the structured log still has them).</summary>
    public const int MaxPending = 10_000;

    private readonly ConcurrentDictionary<(Guid TokenId, AuditEventKind Kind), long> _lastRecorded = new();
    private readonly ConcurrentQueue<AuditEvent> _pending = new();
    private int _pendingCount;

    /// <summary>Number of events not yet written.</summary>
    public int PendingCount => Volatile.Read(ref _pendingCount);

    /// <summary>
    /// Records a use of the stored token <paramref name="tokenId"/> of <paramref name="userId"/> that was refused
    /// (<see cref="AuditEventKind.FailedUse"/> or <see cref="AuditEventKind.ExpiredUse"/>), now (UTC), unless one
    /// of the same token and kind was recorded within <see cref="Window"/>.
    /// </summary>
    /// <param name="kind">Failed or expired use.</param>
    /// <param name="tokenId">The stored token whose prefix was presented.</param>
    /// <param name="userId">Its owner.</param>
    /// <param name="prefix">Its public prefix (never the secret).</param>
    /// <param name="clientAddress">The caller's address as text; "unknown" or blank is stored as none, longer than 45 characters is cut.</param>
    /// <param name="detail">A short explanation.</param>
    /// <returns><see langword="true"/> when recorded; <see langword="false"/> when inside the window or the queue is full.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a use.</exception>
    public bool RecordUse(AuditEventKind kind, Guid tokenId, string userId, string prefix, string? clientAddress, string detail)
    {
        if (kind is not (AuditEventKind.FailedUse or AuditEventKind.ExpiredUse))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Only failed and expired uses are recorded in memory.");
        }

        var now = time.GetUtcNow();
        var key = (tokenId, kind);
        while (true)
        {
            if (_lastRecorded.TryGetValue(key, out var last))
            {
                if (now.UtcTicks - last < Window.Ticks)
                {
                    return false;
                }

                if (!_lastRecorded.TryUpdate(key, now.UtcTicks, last))
                {
                    continue; // another request took this window first; look again
                }
            }
            else if (!_lastRecorded.TryAdd(key, now.UtcTicks))
            {
                continue;
            }

            break;
        }

        if (Interlocked.Increment(ref _pendingCount) > MaxPending)
        {
            Interlocked.Decrement(ref _pendingCount);
            return false;
        }

        _pending.Enqueue(new AuditEvent
        {
            UserId = userId,
            TokenId = tokenId,
            TokenPrefix = prefix,
            Kind = kind,
            ClientAddress = NormalizeAddress(clientAddress),
            OccurredAt = now,
            Detail = detail,
        });
        return true;
    }

    /// <summary>Takes every pending event, oldest first, and forgets windows that have ended.</summary>
    public IReadOnlyList<AuditEvent> Drain()
    {
        var batch = new List<AuditEvent>(PendingCount);
        while (_pending.TryDequeue(out var item))
        {
            Interlocked.Decrement(ref _pendingCount);
            batch.Add(item);
        }

        var now = time.GetUtcNow().UtcTicks;
        foreach (var (key, last) in _lastRecorded)
        {
            if (now - last >= Window.Ticks)
            {
                _lastRecorded.TryRemove(new KeyValuePair<(Guid, AuditEventKind), long>(key, last));
            }
        }

        return batch;
    }

    /// <summary>Puts back events whose write failed, as long as there is room.</summary>
    public void Restore(IEnumerable<AuditEvent> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var item in batch)
        {
            if (Interlocked.Increment(ref _pendingCount) > MaxPending)
            {
                Interlocked.Decrement(ref _pendingCount);
                return;
            }

            item.Id = 0;
            _pending.Enqueue(item);
        }
    }

    /// <summary>The address as stored: none for blank or "unknown", else at most 45 characters.</summary>
    public static string? NormalizeAddress(string? clientAddress) =>
        string.IsNullOrWhiteSpace(clientAddress) || clientAddress == "unknown"
            ? null
            : clientAddress.Length > AuditEvent.ClientAddressMaxLength ? clientAddress[..AuditEvent.ClientAddressMaxLength] : clientAddress;
}
