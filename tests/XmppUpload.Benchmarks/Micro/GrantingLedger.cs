using XmppUpload.Core.Accounts;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;

namespace XmppUpload.Benchmarks.Micro;

/// <summary>
/// A ledger that grants every slot and records nothing, so that a benchmark of the slot request measures parsing,
/// deciding and answering, not the database (the ledger has benchmarks of its own).
/// </summary>
internal sealed class GrantingLedger : ILedger
{
    private static readonly Task<AccountDecision> Granted = Task.FromResult(AccountDecision.Grant([]));

    public Task<AccountDecision> ReserveSlotAsync(Slot slot, AccountLimits limits, DateTimeOffset now, CancellationToken cancellationToken) => Granted;

    public Task CreateSlotAsync(Slot slot, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<Slot?> FindSlotAsync(string slotId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<UploadBegin> TryBeginUploadAsync(string slotId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<bool> TryRenewUploadAsync(string slotId, string attempt, DateTimeOffset leaseUntil, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<bool> TryCompleteUploadAsync(string slotId, string attempt, DateTimeOffset now, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<bool> TryAbortUploadAsync(string slotId, string attempt, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<int> ResetInterruptedUploadsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
}
