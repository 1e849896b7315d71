using XmppUpload.Core.Accounts;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Testing;

namespace XmppUpload.Xmpp.Tests.Support;

/// <summary>
/// The account and sweep sides of the ledger over the slots of a <see cref="MemoryLedger"/>, so slots granted through
/// SlotService and files seeded by a test are the same rows (the real ledgers are tested in Storage.Tests).
/// </summary>
internal sealed class MemoryAccountLedger : IAccountLedger, ISweepLedger
{
    private readonly MemoryLedger _ledger;
    private readonly Lock _gate = new();

    public MemoryAccountLedger(MemoryLedger ledger)
    {
        _ledger = ledger;
    }

    public Task<IReadOnlyList<BucketUsage>> GetUsageAsync(string owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<BucketUsage> usage = [.. Owned(owner)
                .GroupBy(s => s.Purpose)
                .Select(g => new BucketUsage(
                    g.Key,
                    g.Where(s => s.IsServable(now)).Sum(s => s.Size),
                    g.Count(s => s.IsServable(now)),
                    g.Where(s => (s.State == SlotState.Pending && s.PutDeadline > now) || s.State == SlotState.Uploading).Sum(s => s.Size)))];
            return Task.FromResult(usage);
        }
    }

    public Task<IReadOnlyList<Slot>> ListFilesAsync(string owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<Slot> files = [.. Owned(owner).Where(s => s.IsServable(now)).OrderByDescending(s => s.StoredAt)];
            return Task.FromResult(files);
        }
    }

    public Task<bool> DeleteFileAsync(string owner, string slotId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_ledger.Slots.TryGetValue(slotId, out var slot) || slot.Owner != owner || slot.State != SlotState.Stored)
            {
                return Task.FromResult(false);
            }

            Slot.Restore(slot, SlotState.Deleted, slot.StoredAt);
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<string>> DeleteAccountAsync(string owner, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var owned = Owned(owner).ToList();
            foreach (var slot in owned)
            {
                Slot.Restore(slot, SlotState.Deleted, slot.StoredAt);
            }

            IReadOnlyList<string> ids = [.. owned.Select(s => s.Id)];
            return Task.FromResult(ids);
        }
    }

    public Task<int> ExpireStoredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var expired = _ledger.Slots.Values.Where(s => s.State == SlotState.Stored && !s.IsServable(now)).Take(batchSize).ToList();
            foreach (var slot in expired)
            {
                Slot.Restore(slot, SlotState.Deleted, slot.StoredAt);
            }

            return Task.FromResult(expired.Count);
        }
    }

    public Task<int> RemoveLapsedReservationsAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var lapsed = _ledger.Slots.Values.Where(s => s.State == SlotState.Pending && s.PutDeadline <= now).Take(batchSize).ToList();
            foreach (var slot in lapsed)
            {
                _ledger.Slots.TryRemove(slot.Id, out _);
            }

            return Task.FromResult(lapsed.Count);
        }
    }

    public Task<IReadOnlyList<string>> ClaimDeletedAsync(int batchSize, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<string> ids = [.. _ledger.Slots.Values.Where(s => s.State == SlotState.Deleted).Take(batchSize).Select(s => s.Id)];
            return Task.FromResult(ids);
        }
    }

    public Task RemoveDeletedAsync(IReadOnlyCollection<string> slotIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slotIds);
        foreach (var id in slotIds)
        {
            _ledger.Slots.TryRemove(id, out _);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlySet<string>> FindKnownAsync(IReadOnlyCollection<string> slotIds, CancellationToken cancellationToken)
    {
        IReadOnlySet<string> known = slotIds.Where(_ledger.Slots.ContainsKey).ToHashSet(StringComparer.Ordinal);
        return Task.FromResult(known);
    }

    private IEnumerable<Slot> Owned(string owner) => _ledger.Slots.Values.Where(s => s.Owner == owner);
}
