using System.Collections.Concurrent;
using XmppUpload.Core.Accounts;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;

namespace XmppUpload.Http.Tests.Support;

/// <summary>
/// The real ledger, with a signal when an upload has been aborted (the server does that after the client is gone, so
/// a test waits on it instead of sleeping) and a count of calls (to show that a request never reached the ledger).
/// </summary>
public sealed class SignallingLedger(ILedger inner) : ILedger
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _aborts = new(StringComparer.Ordinal);
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Completes once the server has returned the slot to Pending after a failed upload.</summary>
    public Task WaitForAbortAsync(string slotId) =>
        AbortSignal(slotId).Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

    public Task<AccountDecision> ReserveSlotAsync(Slot slot, AccountLimits limits, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return inner.ReserveSlotAsync(slot, limits, now, cancellationToken);
    }

    public Task CreateSlotAsync(Slot slot, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return inner.CreateSlotAsync(slot, cancellationToken);
    }

    public Task<Slot?> FindSlotAsync(string slotId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return inner.FindSlotAsync(slotId, cancellationToken);
    }

    public Task<BeginUploadResult> TryBeginUploadAsync(string slotId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return inner.TryBeginUploadAsync(slotId, now, cancellationToken);
    }

    public Task<bool> TryCompleteUploadAsync(string slotId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return inner.TryCompleteUploadAsync(slotId, now, cancellationToken);
    }

    public async Task<bool> TryAbortUploadAsync(string slotId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        var aborted = await inner.TryAbortUploadAsync(slotId, cancellationToken);
        AbortSignal(slotId).TrySetResult();
        return aborted;
    }

    public Task<int> ResetInterruptedUploadsAsync(CancellationToken cancellationToken) =>
        inner.ResetInterruptedUploadsAsync(cancellationToken);

    private TaskCompletionSource AbortSignal(string slotId) =>
        _aborts.GetOrAdd(slotId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
