using System.Collections.Concurrent;

namespace PfnStudio.Tokens.PersonalAccessTokens.Verification;

/// <summary>
/// Collects "last used" instants of tokens in memory, so a request never writes to the store;
/// <see cref="LastUsedFlushService"/> writes them in one batch per interval. Holds at most one instant per
/// token (the latest), so its memory is bounded by the number of tokens in use.
/// </summary>
internal sealed class LastUsedRecorder(TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, long> _pending = new();

    /// <summary>Number of tokens with an instant not yet written.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>
    /// Records that <paramref name="tokenId"/> authenticated a request now (UTC, from the <see cref="TimeProvider"/>),
    /// to the second: uses within one second of the pending instant leave it as it is (no write, no lock).
    /// </summary>
    public void Record(Guid tokenId)
    {
        var now = time.GetUtcNow().UtcTicks;
        if (_pending.TryGetValue(tokenId, out var pending) && now - pending < TimeSpan.TicksPerSecond)
        {
            return;
        }

        _pending[tokenId] = now;
    }

    /// <summary>Takes every pending instant, leaving none; a use recorded meanwhile stays for the next batch.</summary>
    public IReadOnlyList<KeyValuePair<Guid, DateTimeOffset>> Drain()
    {
        var batch = new List<KeyValuePair<Guid, DateTimeOffset>>(_pending.Count);
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var ticks))
            {
                batch.Add(new(id, new DateTimeOffset(ticks, TimeSpan.Zero)));
            }
        }

        return batch;
    }

    /// <summary>Puts back instants whose write failed, unless a later use was recorded meanwhile.</summary>
    public void Restore(IEnumerable<KeyValuePair<Guid, DateTimeOffset>> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var (id, instant) in batch)
        {
            _pending.AddOrUpdate(id, instant.UtcTicks, (_, current) => Math.Max(current, instant.UtcTicks));
        }
    }
}
