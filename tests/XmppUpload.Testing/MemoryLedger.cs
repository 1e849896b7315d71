using System.Collections.Concurrent;
using XmppUpload.Core.Accounts;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;

namespace XmppUpload.Testing;

/// <summary>
/// An in-memory ledger for unit tests of decisions (the real ledgers are tested in Storage.Tests); it applies the
/// same <see cref="AccountRules"/> under one lock. <see cref="Failure"/> makes it fail as a broken database would.
/// </summary>
public sealed class MemoryLedger : ILedger
{
    private readonly Lock _gate = new();

    public ConcurrentDictionary<string, Slot> Slots { get; } = new(StringComparer.Ordinal);

    public Exception? Failure { get; set; }

    /// <summary>When set, slot creation waits for it, as a slow database would; <see cref="Entered"/> tells it is waiting.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<AccountDecision> ReserveSlotAsync(Slot slot, AccountLimits limits, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slot);
        ArgumentNullException.ThrowIfNull(limits);
        await EnterAsync(cancellationToken);
        lock (_gate)
        {
            var owned = Slots.Values.Where(s => s.Owner == slot.Owner).ToList();
            var bucket = owned.Where(s => s.Purpose == slot.Purpose).ToList();
            var stored = bucket.Where(s => s.IsServable(now)).OrderBy(s => s.StoredAt).ToList();
            var reserved = bucket.Where(s => (s.State == SlotState.Pending && s.PutDeadline > now) || s.State == SlotState.Uploading).ToList();
            var window = owned.Where(s => s.CreatedAt > now - limits.Window).ToList();
            var snapshot = new AccountSnapshot(
                stored.Sum(s => s.Size),
                reserved.Sum(s => s.Size),
                [.. stored.Select(s => new StoredFileRef(s.Id, s.Size, s.StoredAt!.Value))],
                stored.Where(s => s.ExpiresAt is not null).Min(s => s.ExpiresAt),
                reserved.Where(s => s.State == SlotState.Pending).Min(s => (DateTimeOffset?)s.PutDeadline),
                window.Count,
                window.Min(s => (DateTimeOffset?)s.CreatedAt),
                Slots.Values.Where(s => s.IsServable(now) || s.State is SlotState.Pending or SlotState.Uploading).Sum(s => s.Size));
            var decision = AccountRules.Decide(snapshot, slot.Size, limits, now);
            if (decision.IsGranted)
            {
                foreach (var id in decision.Evict)
                {
                    Slots[id] = Slot.Restore(Slots[id], SlotState.Deleted, Slots[id].StoredAt);
                }

                Slots[slot.Id] = slot;
            }

            return decision;
        }
    }

    public async Task CreateSlotAsync(Slot slot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slot);
        await EnterAsync(cancellationToken);
        Slots[slot.Id] = slot;
    }

    public Task<Slot?> FindSlotAsync(string slotId, CancellationToken cancellationToken) =>
        Task.FromResult(Slots.GetValueOrDefault(slotId));

    public Task<UploadBegin> TryBeginUploadAsync(string slotId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(Slots.TryGetValue(slotId, out var slot)
                ? slot.TryBeginUpload(now, UploadAttempts.New(), now + lease)
                : UploadBegin.NotFound);
        }
    }

    public Task<bool> TryRenewUploadAsync(string slotId, string attempt, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(Slots.TryGetValue(slotId, out var slot) && slot.TryRenewUpload(attempt, leaseUntil));
        }
    }

    public Task<bool> TryCompleteUploadAsync(string slotId, string attempt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(Slots.TryGetValue(slotId, out var slot) && slot.TryComplete(now, attempt));
        }
    }

    public Task<bool> TryAbortUploadAsync(string slotId, string attempt, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(Slots.TryGetValue(slotId, out var slot) && slot.TryAbort(attempt));
        }
    }

    public Task<int> ResetInterruptedUploadsAsync(CancellationToken cancellationToken) => Task.FromResult(0);

    private async Task EnterAsync(CancellationToken cancellationToken)
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
    }
}
