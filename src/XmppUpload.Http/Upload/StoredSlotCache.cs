using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Slots;

namespace XmppUpload.Http.Upload;

/// <summary>
/// Stored slots recently read for GET and HEAD, kept for <see cref="HttpOptions.StoredSlotCacheDuration"/> so that a
/// file fetched by many clients at once (a picture shared in a large group chat) costs one ledger read per period,
/// not one per request. Only stored slots are kept: their bytes, name and type never change, so what can go stale is
/// only whether they still exist. A file deleted meanwhile is found out when its blob is missing (the GET handler then
/// forgets the entry and asks the ledger again); otherwise a deleted file may still be served for at most the period,
/// which is far less than the year of <c>Cache-Control</c> every stored file is already served with. Expiry
/// (<see cref="Slot.IsServable"/>) is checked on every request, cached or not. Bounded: when full, it starts afresh.
/// </summary>
internal sealed class StoredSlotCache(IOptions<HttpOptions> options, TimeProvider time)
{
    /// <summary>About 300 bytes each, so a full cache stays within a few megabytes.</summary>
    internal const int MaxEntries = 16_384;

    private readonly TimeSpan _duration = options.Value.StoredSlotCacheDuration;
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
