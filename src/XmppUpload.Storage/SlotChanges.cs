using XmppUpload.Core.Slots;

namespace XmppUpload.Storage;

/// <summary>How both ledgers apply a slot's rule inside their transaction; each keeps its SQL.</summary>
internal static class SlotChanges
{
    /// <summary>
    /// The rule that begins an upload at <paramref name="now"/> with a new attempt, leased until <c>now + lease</c>
    /// rounded as the column keeps it, so that the lease the caller is told is the one recorded.
    /// </summary>
    public static Func<Slot, UploadBegin> BeginUpload(DateTimeOffset now, TimeSpan lease)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        var leaseUntil = LedgerTime.AsStored(now + lease);
        return slot => slot.TryBeginUpload(now, UploadAttempts.New(), leaseUntil);
    }

    /// <summary>
    /// Applies <paramref name="rule"/> to <paramref name="slot"/> and writes the slot's state back with
    /// <paramref name="writeState"/> only when the rule changed it: a refused change writes nothing.
    /// </summary>
    public static async Task<T> ApplyAsync<T>(Slot slot, Func<Slot, T> rule, Func<Slot, Task> writeState)
    {
        ArgumentNullException.ThrowIfNull(slot);
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(writeState);
        var before = (slot.State, slot.StoredAt, slot.UploadAttempt, slot.UploadLeaseUntil);
        var result = rule(slot);
        if ((slot.State, slot.StoredAt, slot.UploadAttempt, slot.UploadLeaseUntil) != before)
        {
            await writeState(slot);
        }

        return result;
    }
}
