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

    /// <summary>
    /// Pending to Uploading under a new random attempt id and a lease until <paramref name="now"/> +
    /// <paramref name="lease"/>, if the deadline has not passed and no other attempt holds a live lease; an Uploading
    /// slot whose lease has lapsed is taken over (see <see cref="Slot.TryBeginUpload"/>). Refused because another
    /// attempt holds the slot, the answer says when that lease ends.
    /// </summary>
    Task<UploadBegin> TryBeginUploadAsync(string slotId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the lease of <paramref name="attempt"/> to <paramref name="leaseUntil"/>; false once another attempt has
    /// taken the slot over or the upload has ended (the PUT must then stop and commit nothing). Cheap: one guarded UPDATE.
    /// </summary>
    Task<bool> TryRenewUploadAsync(string slotId, string attempt, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>
    /// Uploading to Stored, once the bytes are committed in the blob store: the reservation becomes stored bytes. Only
    /// for the attempt that holds the slot; true again if that attempt already stored it.
    /// </summary>
    Task<bool> TryCompleteUploadAsync(string slotId, string attempt, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Uploading back to Pending after a failed upload, so the client may PUT again until the deadline. Only for the
    /// attempt that holds the slot.
    /// </summary>
    Task<bool> TryAbortUploadAsync(string slotId, string attempt, CancellationToken cancellationToken);

    /// <summary>At start: uploads that were in progress when this process (or node) died go back to Pending.</summary>
    Task<int> ResetInterruptedUploadsAsync(CancellationToken cancellationToken);
}
