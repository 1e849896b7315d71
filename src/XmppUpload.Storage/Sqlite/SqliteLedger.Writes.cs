using System.Globalization;
using Microsoft.Data.Sqlite;

namespace XmppUpload.Storage.Sqlite;

/// <summary>
/// Group commit. SQLite has one writer, and a commit that must survive a power cut waits for the disk (an fsync of the
/// WAL). Writes that arrive while another batch commits queue up, and the next batch runs them all in one
/// <c>BEGIN IMMEDIATE</c> transaction, each inside a savepoint of its own, and commits once: every write still reads
/// and decides under the write lock, as alone, but many share one wait for the disk. A write that fails is rolled back
/// to its savepoint and fails alone; a commit that fails fails every write of its batch, none of which took effect.
/// </summary>
public sealed partial class SqliteLedger
{
    /// <summary>The most writes one transaction takes: enough to share a disk wait widely, few enough to keep each quick.</summary>
    internal const int MaxBatch = 64;

    private readonly Lock _queueGate = new();
    private readonly Queue<QueuedWrite> _queued = new();
    private bool _draining;

    /// <summary>How many batches have committed; for tests.</summary>
    internal long CommittedBatches { get; private set; }

    /// <param name="durable">
    /// Whether the commit must survive a power cut before this returns (synchronous FULL). Only a change that the
    /// node's restart would undo anyway, or whose loss leaves nothing wrong (a slot grant: see ReserveSlotAsync), may
    /// pass false; a batch with any durable write commits durably, and so does every commit before it in the log.
    /// </param>
    private Task<T> WriteAsync<T>(
        Func<SqliteConnection, SqliteTransaction, CancellationToken, Task<T>> work,
        CancellationToken cancellationToken,
        bool durable = true)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var write = new QueuedWrite<T>(work, durable, cancellationToken);
        bool start;
        lock (_queueGate)
        {
            _queued.Enqueue(write);
            start = !_draining;
            _draining = true;
        }

        if (start)
        {
            // On the thread pool, not in this caller's flow: the drain goes on with other callers' writes after this one's.
            _ = Task.Run(DrainAsync, CancellationToken.None);
        }

        return write.Result;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            var batch = new List<QueuedWrite>();
            lock (_queueGate)
            {
                while (batch.Count < MaxBatch && _queued.TryDequeue(out var next))
                {
                    batch.Add(next);
                }

                if (batch.Count == 0)
                {
                    _draining = false;
                    if (Volatile.Read(ref _disposed) != 0)
                    {
                        CloseWriter();
                    }

                    return;
                }
            }

            await RunBatchAsync(batch);
        }
    }

    private async Task RunBatchAsync(List<QueuedWrite> batch)
    {
        batch.RemoveAll(write => write.CancelIfRequested());
        if (batch.Count == 0)
        {
            return;
        }

        var succeeded = new List<QueuedWrite>(batch.Count);
        try
        {
            var connection = await WriterAsync();
            await SetSynchronousAsync(connection, batch.Exists(write => write.Durable), CancellationToken.None);
            // IMMEDIATE takes the write lock before the first read, so no other writer changes a row between a write's
            // read and its update (a deferred transaction would instead fail with SQLITE_BUSY when it tries to upgrade).
            await using var transaction = connection.BeginTransaction(deferred: false);
            if (batch.Count == 1)
            {
                await batch[0].RunAsync(connection, transaction);
                succeeded.Add(batch[0]);
            }
            else
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    var write = batch[i];
                    if (write.CancelIfRequested())
                    {
                        continue;
                    }

                    var savepoint = string.Create(CultureInfo.InvariantCulture, $"w{i}");
                    await transaction.SaveAsync(savepoint);
                    try
                    {
                        await write.RunAsync(connection, transaction);
                    }
                    catch (Exception exception)
                    {
                        // Undo what this write did and let the others go on; if even that fails, the outer catch
                        // fails the whole batch, whose writes are then all rolled back with the transaction.
                        await transaction.RollbackAsync(savepoint);
                        await transaction.ReleaseAsync(savepoint);
                        write.Fail(exception);
                        continue;
                    }

                    await transaction.ReleaseAsync(savepoint);
                    succeeded.Add(write);
                }
            }

            await transaction.CommitAsync(CancellationToken.None);
            CommittedBatches++;
        }
        catch (Exception exception)
        {
            foreach (var write in batch)
            {
                write.Fail(exception);
            }

            return;
        }

        foreach (var write in succeeded)
        {
            write.Complete();
        }
    }

    /// <summary>One write waiting for its batch.</summary>
    private abstract class QueuedWrite(bool durable, CancellationToken cancellationToken)
    {
        public bool Durable { get; } = durable;

        protected CancellationToken Token { get; } = cancellationToken;

        public abstract Task RunAsync(SqliteConnection connection, SqliteTransaction transaction);

        /// <summary>Hands the caller the result its work produced, now that the batch has committed.</summary>
        public abstract void Complete();

        /// <summary>Fails the caller, unless it already has its answer (an earlier failure of the same write).</summary>
        public abstract void Fail(Exception exception);

        /// <summary>Ends the write as cancelled, before it runs, if its caller gave up; true if so.</summary>
        public abstract bool CancelIfRequested();
    }

    private sealed class QueuedWrite<T>(Func<SqliteConnection, SqliteTransaction, CancellationToken, Task<T>> work, bool durable, CancellationToken cancellationToken)
        : QueuedWrite(durable, cancellationToken)
    {
        private readonly TaskCompletionSource<T> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _value = default!;

        public Task<T> Result => _result.Task;

        public override async Task RunAsync(SqliteConnection connection, SqliteTransaction transaction) =>
            _value = await work(connection, transaction, Token);

        public override void Complete() => _result.TrySetResult(_value);

        public override void Fail(Exception exception)
        {
            if (exception is OperationCanceledException && Token.IsCancellationRequested)
            {
                _result.TrySetCanceled(Token);
            }
            else
            {
                _result.TrySetException(exception);
            }
        }

        public override bool CancelIfRequested() => Token.IsCancellationRequested && _result.TrySetCanceled(Token);
    }
}
