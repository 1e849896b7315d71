using System.Collections.Concurrent;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Tests;

/// <summary>An in-memory ledger for unit tests of decisions; the real ledgers are tested in Storage.Tests.</summary>
internal sealed class RecordingLedger : ILedger
{
    public ConcurrentDictionary<string, Slot> Slots { get; } = new(StringComparer.Ordinal);

    public Task CreateSlotAsync(Slot slot, CancellationToken cancellationToken)
    {
        Slots[slot.Id] = slot;
        return Task.CompletedTask;
    }

    public Task<Slot?> FindSlotAsync(string slotId, CancellationToken cancellationToken) =>
        Task.FromResult(Slots.GetValueOrDefault(slotId));

    public Task<BeginUploadResult> TryBeginUploadAsync(string slotId, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(Slots.TryGetValue(slotId, out var slot) ? slot.TryBeginUpload(now) : BeginUploadResult.NotFound);

    public Task<bool> TryCompleteUploadAsync(string slotId, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(Slots.TryGetValue(slotId, out var slot) && slot.TryComplete(now));

    public Task<bool> TryAbortUploadAsync(string slotId, CancellationToken cancellationToken) =>
        Task.FromResult(Slots.TryGetValue(slotId, out var slot) && slot.TryAbort());

    public Task<int> ResetInterruptedUploadsAsync(CancellationToken cancellationToken) => Task.FromResult(0);
}
