using XmppUpload.Core.Accounts;
using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Ports;

/// <summary>
/// The durable record of slots. Every state change runs atomically (one transaction, the slot's or the account's rows
/// locked) and applies the rules of <see cref="Slot"/> and <see cref="AccountRules"/>, so that concurrent requests,
/// PUTs and nodes never see a slot in two states nor an account over its quota.
/// </summary>
public interface ILedger
{
    /// <summary>
    /// Decides a slot request for <see cref="Slot.Owner"/> with <see cref="AccountRules.Decide"/> on a snapshot read in
    /// the same transaction, and when granted records the slot (its size reserved) and marks the evicted files
    /// Deleted, all at once.
    /// </summary>
    Task<AccountDecision> ReserveSlotAsync(Slot slot, AccountLimits limits, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records a slot without any account check (tests and imports; requests go through <see cref="ReserveSlotAsync"/>).</summary>
    Task CreateSlotAsync(Slot slot, CancellationToken cancellationToken);

    Task<Slot?> FindSlotAsync(string slotId, CancellationToken cancellationToken);

    /// <summary>Pending to Uploading, if the deadline has not passed and no other PUT holds the slot.</summary>
    Task<BeginUploadResult> TryBeginUploadAsync(string slotId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Uploading to Stored, once the bytes are committed in the blob store: the reservation becomes stored bytes.</summary>
    Task<bool> TryCompleteUploadAsync(string slotId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Uploading back to Pending after a failed upload, so the client may PUT again until the deadline.</summary>
    Task<bool> TryAbortUploadAsync(string slotId, CancellationToken cancellationToken);

    /// <summary>At start: uploads that were in progress when the process died go back to Pending.</summary>
    Task<int> ResetInterruptedUploadsAsync(CancellationToken cancellationToken);
}
