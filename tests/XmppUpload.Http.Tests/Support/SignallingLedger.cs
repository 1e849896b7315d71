using System.Collections.Concurrent;
using System.Data.Common;
using XmppUpload.Core.Accounts;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;

namespace XmppUpload.Http.Tests.Support;

/// <summary>
/// The real ledger, with a record of the upload calls the server makes (a test waits on them instead of sleeping: the
/// server renews, retries and aborts on its own), a count of all calls (to show that a request never reached the
/// ledger), and <see cref="FailWhen"/> to make chosen calls fail as an unreachable database would.
/// </summary>
public sealed class SignallingLedger(ILedger inner) : ILedger
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _aborts = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly List<LedgerCall> _history = [];
    private readonly List<(Func<IReadOnlyList<LedgerCall>, bool> Condition, TaskCompletionSource Done)> _waiters = [];
    private int _calls;
    private int _finds;

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>
    /// Calls for which this returns true throw <see cref="LedgerUnreachableException"/> without reaching the ledger, as
    /// they would with the database down or cut off from this node; null (the default) lets every call through.
    /// </summary>
    public Func<LedgerCall, bool>? FailWhen { get; set; }

    /// <summary>The upload calls so far, oldest first.</summary>
    public IReadOnlyList<LedgerCall> History
    {
        get
        {
            lock (_gate)
            {
                return [.. _history];
            }
        }
    }

    /// <summary>Completes once the server has returned the slot to Pending after a failed upload.</summary>
    public Task WaitForAbortAsync(string slotId) =>
        AbortSignal(slotId).Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

    /// <summary>Completes once the upload calls recorded so far satisfy <paramref name="condition"/> (perhaps at once).</summary>
    public Task WaitForAsync(Func<IReadOnlyList<LedgerCall>, bool> condition)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (condition(_history))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((condition, done));
        }

        return done.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    /// <summary>Waits until <paramref name="count"/> calls matching <paramref name="match"/> have been made.</summary>
    public Task WaitForCallsAsync(Func<LedgerCall, bool> match, int count = 1) =>
        WaitForAsync(history => history.Count(match) >= count);

    /// <summary>The attempt id the ledger gave the first PUT that began an upload of <paramref name="slotId"/>.</summary>
    public string FirstAttemptOf(string slotId) =>
        History.First(c => c.Operation == LedgerOperation.Begin && c.SlotId == slotId && c.Attempt is not null).Attempt!;

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

    /// <summary>Whether lookups throw <see cref="LedgerUnreachableException"/>, as with the database down.</summary>
    public bool FailFinds { get; set; }

    /// <summary>How many lookups (<see cref="FindSlotAsync"/>) reached this ledger, the ones made to fail included.</summary>
    public int Finds => Volatile.Read(ref _finds);

    public Task<Slot?> FindSlotAsync(string slotId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Increment(ref _finds);
        return FailFinds ? Task.FromException<Slot?>(new LedgerUnreachableException()) : inner.FindSlotAsync(slotId, cancellationToken);
    }

    public async Task<UploadBegin> TryBeginUploadAsync(string slotId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        var begin = await CallAsync(
            new LedgerCall(LedgerOperation.Begin, slotId, null), () => inner.TryBeginUploadAsync(slotId, now, lease, cancellationToken));
        // Recorded again with the attempt, which only the answer names.
        Record(new LedgerCall(LedgerOperation.Begin, slotId, begin.Attempt) { Answer = begin.Outcome.ToString() });
        return begin;
    }

    public Task<bool> TryRenewUploadAsync(string slotId, string attempt, DateTimeOffset leaseUntil, CancellationToken cancellationToken) =>
        CallAsync(new LedgerCall(LedgerOperation.Renew, slotId, attempt), () => inner.TryRenewUploadAsync(slotId, attempt, leaseUntil, cancellationToken));

    public Task<bool> TryCompleteUploadAsync(string slotId, string attempt, DateTimeOffset now, CancellationToken cancellationToken) =>
        CallAsync(new LedgerCall(LedgerOperation.Complete, slotId, attempt), () => inner.TryCompleteUploadAsync(slotId, attempt, now, cancellationToken));

    public async Task<bool> TryAbortUploadAsync(string slotId, string attempt, CancellationToken cancellationToken)
    {
        try
        {
            return await CallAsync(new LedgerCall(LedgerOperation.Abort, slotId, attempt), () => inner.TryAbortUploadAsync(slotId, attempt, cancellationToken));
        }
        finally
        {
            AbortSignal(slotId).TrySetResult();
        }
    }

    public Task<int> ResetInterruptedUploadsAsync(CancellationToken cancellationToken) =>
        inner.ResetInterruptedUploadsAsync(cancellationToken);

    private async Task<T> CallAsync<T>(LedgerCall call, Func<Task<T>> work)
    {
        Interlocked.Increment(ref _calls);
        if (FailWhen is { } fail && fail(call))
        {
            Record(call with { Failed = true });
            throw new LedgerUnreachableException();
        }

        var result = await work();
        if (call.Operation != LedgerOperation.Begin)
        {
            Record(call with { Answer = result?.ToString() });
        }

        return result;
    }

    private void Record(LedgerCall call)
    {
        List<TaskCompletionSource> done = [];
        lock (_gate)
        {
            _history.Add(call);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Condition(_history))
                {
                    done.Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var waiter in done)
        {
            waiter.TrySetResult();
        }
    }

    private TaskCompletionSource AbortSignal(string slotId) =>
        _aborts.GetOrAdd(slotId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

/// <summary>An upload call the server made to the ledger, with its answer (<c>True</c>, <c>InProgress</c>, ...) or its failure.</summary>
public sealed record LedgerCall(LedgerOperation Operation, string SlotId, string? Attempt)
{
    public bool Failed { get; init; }

    public string? Answer { get; init; }
}

public enum LedgerOperation
{
    Begin,
    Renew,
    Complete,
    Abort,
}

/// <summary>What a database driver throws when the server cannot be reached (a <see cref="DbException"/>, as Npgsql's are).</summary>
public sealed class LedgerUnreachableException() : DbException("The ledger cannot be reached (simulated).");
