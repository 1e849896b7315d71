namespace XmppUpload.Core.Lifecycle;

/// <summary>
/// Whether this node still takes new work, and the writes (uploads, WebDAV changes) it is finishing. Once
/// <see cref="Begin"/> is called (the host is stopping) new slots and writes are refused, and
/// <see cref="WaitForWritesAsync"/> lets those in flight end.
/// </summary>
public sealed class NodeDrain
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _draining = new();
    private int _writes;
    private TaskCompletionSource? _idle;

    public bool IsDraining => _draining.IsCancellationRequested;

    /// <summary>Cancelled when draining begins, for parts that must let go at once (the component link).</summary>
    public CancellationToken Draining => _draining.Token;

    /// <summary>Writes in flight.</summary>
    public int Writes => Volatile.Read(ref _writes);

    /// <summary>Counts a new write in, unless the node is draining.</summary>
    public bool TryEnterWrite()
    {
        lock (_gate)
        {
            if (IsDraining)
            {
                return false;
            }

            _writes++;
            return true;
        }
    }

    public void ExitWrite()
    {
        TaskCompletionSource? idle = null;
        lock (_gate)
        {
            if (--_writes == 0)
            {
                idle = _idle;
                _idle = null;
            }
        }

        idle?.TrySetResult();
    }

    /// <summary>
    /// Starts the drain (idempotent). Not under the lock: callbacks registered on <see cref="Draining"/> run
    /// synchronously, and a write counted in just before still ends through <see cref="ExitWrite"/>.
    /// </summary>
    public void Begin() => _draining.Cancel();

    /// <summary>True when every write in flight ended within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForWritesAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        Task idle;
        lock (_gate)
        {
            if (_writes == 0)
            {
                return true;
            }

            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            idle = _idle.Task;
        }

        try
        {
            await idle.WaitAsync(timeout, time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
