using System.Data;
using Microsoft.Extensions.Logging;
using Npgsql;
using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.Postgres;

/// <summary>
/// A held component link lease: the PostgreSQL session that holds the advisory lock, watched until it is released.
/// A broken connection is noticed at once (the watch always waits on the socket); a silent one by the check every
/// interval. Either way <see cref="Lost"/> fires before the session is closed. A release unlocks before it closes the
/// session, so that the lock is free when <see cref="DisposeAsync"/> returns (closing alone frees it too, a moment
/// later, when PostgreSQL has ended the session).
/// </summary>
internal sealed class PostgresLinkLease : ILinkLease
{
    private const string Unlock = "SELECT pg_advisory_unlock(@class, @key)";

    private readonly NpgsqlConnection _connection;
    private readonly int _key;
    private readonly TimeSpan _checkInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _release = new();
    private readonly Task _watch;
    private int _disposed;

    public PostgresLinkLease(string name, int key, NpgsqlConnection connection, TimeSpan checkInterval, TimeProvider time, ILogger logger)
    {
        Name = name;
        _key = key;
        _connection = connection;
        _checkInterval = checkInterval;
        _time = time;
        _logger = logger;
        _watch = Task.Run(WatchAsync, CancellationToken.None);
    }

    public string Name { get; }

    public CancellationToken Lost => _lost.Token;

    /// <summary>Releases the lease: the session ends, and PostgreSQL frees the lock with it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _release.CancelAsync();
        await _watch;
        _release.Dispose();
        if (!_lost.IsCancellationRequested)
        {
            PostgresClusterLog.LeaseReleased(_logger, Name);
        }
    }

    private async Task WatchAsync()
    {
        try
        {
            while (true)
            {
                await PostgresClusterConnections.WaitAndCheckAsync(_connection, _checkInterval, _time, _release.Token);
            }
        }
        catch (OperationCanceledException) when (_release.IsCancellationRequested)
        {
            await UnlockAsync();
        }
        catch (Exception exception)
        {
            // Whatever broke, this node can no longer prove that it holds the lock: it stops acting on it first, and
            // only then closes the session (which frees the lock if PostgreSQL still has it).
            PostgresClusterLog.LeaseSessionLost(_logger, Name, exception);
            await _lost.CancelAsync();
        }
        finally
        {
            await _connection.DisposeAsync();
        }
    }

    private async Task UnlockAsync()
    {
        // A cancelled wait leaves the session usable; a cancelled check may not, and then closing frees the lock.
        if (_connection.FullState != ConnectionState.Open)
        {
            return;
        }

        try
        {
            using var deadline = new CancellationTokenSource(_checkInterval * 2, _time);
            await using var command = new NpgsqlCommand(Unlock, _connection);
            command.Parameters.AddWithValue("class", PostgresLocks.LinkLeaseClass);
            command.Parameters.AddWithValue("key", _key);
            await command.ExecuteScalarAsync(deadline.Token);
        }
        catch (Exception exception) when (exception is NpgsqlException or OperationCanceledException or IOException or TimeoutException)
        {
            // Closing the session below frees the lock as well.
        }
    }
}
