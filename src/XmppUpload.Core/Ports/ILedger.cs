using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Ports;

/// <summary>
/// The durable record of slots. Every state change runs atomically (one transaction, the slot's row locked) and applies
/// the rules of <see cref="Slot"/>, so that concurrent PUTs and nodes never see a slot in two states.
/// </summary>
public interface ILedger
{
    Task CreateSlotAsync(Slot slot, CancellationToken cancellationToken);

    Task<Slot?> FindSlotAsync(string slotId, CancellationToken cancellationToken);

    /// <summary>Pending to Uploading, if the deadline has not passed and no other PUT holds the slot.</summary>
    Task<BeginUploadResult> TryBeginUploadAsync(string slotId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Uploading to Stored, once the bytes are committed in the blob store.</summary>
    Task<bool> TryCompleteUploadAsync(string slotId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Uploading back to Pending after a failed upload, so the client may PUT again until the deadline.</summary>
    Task<bool> TryAbortUploadAsync(string slotId, CancellationToken cancellationToken);

    /// <summary>At start: uploads that were in progress when the process died go back to Pending.</summary>
    Task<int> ResetInterruptedUploadsAsync(CancellationToken cancellationToken);
}
