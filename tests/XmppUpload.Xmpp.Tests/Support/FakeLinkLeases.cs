using XmppUpload.Core.Ports;

namespace XmppUpload.Xmpp.Tests.Support;

/// <summary>
/// A lease store the test controls: it grants the lease, says another node holds it, or cannot be reached, and
/// records each attempt and each lease it granted, so that a test awaits them instead of polling.
/// </summary>
internal sealed class FakeLinkLeases : ILinkLeaseProvider
{
    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(20);

    private readonly Lock _gate = new();
    private readonly List<FakeLinkLease> _granted = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
    private int _attempts;

    /// <summary>When set, attempts report that this node holds the lease.</summary>
    public string? Holder { get; set; }

    /// <summary>When set, attempts throw it (the lease store cannot be reached).</summary>
    public Exception? Failure { get; set; }

    public IReadOnlyList<FakeLinkLease> Granted
    {
        get
        {
            lock (_gate)
            {
                return [.. _granted];
            }
        }
    }

    public int Attempts => Volatile.Read(ref _attempts);

    public Task<LinkLeaseAttempt> TryTakeAsync(string name, CancellationToken cancellationToken)
    {
        List<TaskCompletionSource> done;
        LinkLeaseAttempt? result = null;
        Exception? failure;
        lock (_gate)
        {
            failure = Failure;
            if (failure is null)
            {
                if (Holder is { } holder)
                {
                    result = LinkLeaseAttempt.HeldElsewhere(holder);
                }
                else
                {
                    var lease = new FakeLinkLease(name);
                    _granted.Add(lease);
                    result = LinkLeaseAttempt.Taken(lease);
                }
            }

            _attempts++;
            done = [.. _waiters.Where(w => _attempts >= w.Count).Select(w => w.Done)];
            _waiters.RemoveAll(w => done.Contains(w.Done));
        }

        foreach (var waiter in done)
        {
            waiter.TrySetResult();
        }

        return failure is null ? Task.FromResult(result!) : Task.FromException<LinkLeaseAttempt>(failure);
    }

    /// <summary>Completes once <paramref name="count"/> attempts were made; fails after a generous safety timeout.</summary>
    public Task WaitForAttemptsAsync(int count)
    {
        lock (_gate)
        {
            if (_attempts >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task.WaitAsync(SafetyTimeout);
        }
    }
}
