using XmppUpload.Core.Diagnostics;
using XmppUpload.Core.Ports;

namespace XmppUpload.Core.Accounts;

/// <summary>
/// Retention: expired files and lapsed reservations leave the ledger first (so nothing expired is served), then their
/// blobs go, then their rows. A crash between two steps leaves Deleted rows (finished on the next sweep) or blobs
/// without rows (orphans, removed once older than <see cref="OrphanGracePeriod"/>), never a file served too long.
/// </summary>
public sealed class Sweeper
{
    public const int DefaultBatchSize = 500;

    private readonly ISweepLedger _ledger;
    private readonly IBlobStore _blobs;
    private readonly TimeProvider _time;

    public Sweeper(ISweepLedger ledger, IBlobStore blobs, TimeProvider time)
    {
        _ledger = ledger;
        _blobs = blobs;
        _time = time;
    }

    /// <summary>Blobs younger than this are never orphans: their upload may be committing its ledger row right now.</summary>
    public TimeSpan OrphanGracePeriod { get; init; } = TimeSpan.FromHours(1);

    public int BatchSize { get; init; } = DefaultBatchSize;

    public async Task<SweepReport> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var expired = await DrainAsync(() => _ledger.ExpireStoredAsync(now, BatchSize, cancellationToken));
        var lapsed = await DrainAsync(() => _ledger.RemoveLapsedReservationsAsync(now, BatchSize, cancellationToken));

        var removed = 0;
        while (true)
        {
            using var activity = SweeperTelemetry.Source.StartActivity("sweep batch");
            var batch = await _ledger.ClaimDeletedAsync(BatchSize, cancellationToken);
            activity?.SetTag("xmppupload.sweep.batch.size", batch.Count);
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var id in batch)
            {
                await _blobs.DeleteAsync(id, cancellationToken);
            }

            await _ledger.RemoveDeletedAsync(batch, cancellationToken);
            removed += batch.Count;
            if (batch.Count < BatchSize)
            {
                break;
            }
        }

        var orphans = await RemoveOrphansAsync(now, cancellationToken);
        return new SweepReport(expired, lapsed, removed, orphans);
    }

    private async Task<int> RemoveOrphansAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var removed = 0;
        var candidates = new List<string>(BatchSize);
        await foreach (var blob in _blobs.ListAsync(cancellationToken))
        {
            if (now - blob.LastModified < OrphanGracePeriod)
            {
                continue;
            }

            candidates.Add(blob.Key);
            if (candidates.Count == BatchSize)
            {
                removed += await RemoveUnknownAsync(candidates, cancellationToken);
                candidates.Clear();
            }
        }

        return removed + await RemoveUnknownAsync(candidates, cancellationToken);
    }

    private async Task<int> RemoveUnknownAsync(List<string> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return 0;
        }

        using var activity = SweeperTelemetry.Source.StartActivity("sweep orphan batch");
        activity?.SetTag("xmppupload.sweep.batch.size", keys.Count);
        var known = await _ledger.FindKnownAsync(keys, cancellationToken);
        var removed = 0;
        foreach (var key in keys.Where(k => !known.Contains(k)))
        {
            await _blobs.DeleteAsync(key, cancellationToken);
            removed++;
        }

        return removed;
    }

    private static async Task<int> DrainAsync(Func<Task<int>> batch)
    {
        var total = 0;
        int count;
        // Bounded batches keep each transaction short, so slot requests and uploads are never held up for long.
        do
        {
            count = await batch();
            total += count;
        }
        while (count > 0);
        return total;
    }
}
