using System.Collections.Concurrent;

namespace XmppUpload.Core.Slots;

/// <summary>
/// Stored slots recently read for GET and HEAD, kept for a short period (<c>Http:StoredSlotCacheDuration</c>) so that a
/// file fetched by many clients at once (a picture shared in a large group chat) costs one ledger read per period,
/// not one per request. Only stored slots are kept: their bytes, name and type never change, so what can go stale is
/// only whether they still exist. A file its owner deletes through this node is forgotten at once
/// (<see cref="Accounts.AccountService"/>); one whose blob is gone is found out by the GET handler, which then forgets
/// it and asks the ledger again; otherwise (a deletion by another node or an operator's command, a quota eviction
/// whose bytes are still there) a deleted file may be served for at most the period, far less than the year of
/// <c>Cache-Control</c> every stored file is already served with. Expiry (<see cref="Slot.IsServable"/>) is checked
/// on every request, cached or not. Bounded: when full, it starts afresh.
/// </summary>
/// <param name="duration">How long an entry answers; zero or less turns the cache off.</param>
public sealed class StoredSlotCache(TimeSpan duration, TimeProvider time)
{
    /// <summary>About 300 bytes each, so a full cache stays within a few megabytes.</summary>
    public const int MaxEntries = 16_384;

    private readonly TimeSpan _duration = duration;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public bool Enabled => _duration > TimeSpan.Zero;

    public bool TryGet(string slotId, out Slot slot)
    {
        if (_entries.TryGetValue(slotId, out var entry))
        {
            if (entry.Until > time.GetUtcNow())
            {
                slot = entry.Slot;
                return true;
            }

            _entries.TryRemove(KeyValuePair.Create(slotId, entry));
        }

        slot = null!;
        return false;
    }

    public void Remember(Slot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        if (!Enabled || slot.State != SlotState.Stored)
        {
            return;
        }

        if (_entries.Count >= MaxEntries)
        {
            // Starting afresh keeps the bound with no bookkeeping per hit; the files in demand are back at their next GET.
            _entries.Clear();
        }

        _entries[slot.Id] = new Entry(slot, time.GetUtcNow() + _duration);
    }

    public void Forget(string slotId) => _entries.TryRemove(slotId, out _);

    private sealed record Entry(Slot Slot, DateTimeOffset Until);
}
