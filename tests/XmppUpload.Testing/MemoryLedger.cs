using System.Collections.Concurrent;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;

namespace XmppUpload.Testing;

/// <summary>An in-memory ledger for unit tests of decisions (the real ledgers are tested in Storage.Tests); <see cref="Failure"/> makes it fail as a broken database would.</summary>
public sealed class MemoryLedger : ILedger
{
    public ConcurrentDictionary<string, Slot> Slots { get; } = new(StringComparer.Ordinal);

    public Exception? Failure { get; set; }

    /// <summary>When set, slot creation waits for it, as a slow database would; <see cref="Entered"/> tells it is waiting.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task CreateSlotAsync(Slot slot, CancellationToken cancellationToken)
    {
        Entered.TrySetResult();
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (Failure is not null)
        {
            throw Failure;
        }

        Slots[slot.Id] = slot;
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
