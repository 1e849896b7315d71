using System.Buffers.Binary;
using System.Data;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.Postgres;

/// <summary>
/// Component link leases as session-level advisory locks (<c>pg_try_advisory_lock</c>), each held by a PostgreSQL
/// session of its own: PostgreSQL frees the lock when that session ends, whether the holder releases it, exits, is
/// killed (the kernel closes its socket) or vanishes (TCP keepalives end the session, see
/// <see cref="PostgresClusterConnections"/>). The key is derived from the lease's name, so different XMPP servers or
/// component domains lock different keys. A node on standby keeps one idle session for its attempts instead of opening
/// one each time; the holder's name is read from <c>pg_stat_activity</c> (the holder's application_name).
/// </summary>
public sealed class PostgresLinkLeaseProvider : ILinkLeaseProvider, IAsyncDisposable
{
    /// <summary>The application_name of a lease session: this prefix and the node's <c>Ledger:NodeId</c>.</summary>
    public const string ApplicationNamePrefix = "xmppupload link ";

    private const string TryLock = "SELECT pg_try_advisory_lock(@class, @key)";

    // oid columns compare as bigint: the two int keys are stored as unsigned 32-bit values.
    private const string SelectHolder = """
        SELECT a.application_name
        FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid::bigint = @class AND l.objid::bigint = @key
        LIMIT 1
        """;

    private readonly string _connectionString;
    private readonly TimeSpan _checkInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlConnection? _idle;
    private int _disposed;

    public PostgresLinkLeaseProvider(
        IOptions<PostgresLedgerOptions> ledger,
        IOptions<ClusterOptions> cluster,
        TimeProvider time,
        ILogger<PostgresLinkLeaseProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(cluster);
        if (string.IsNullOrWhiteSpace(ledger.Value.ConnectionString))
        {
            throw new ArgumentException("The link lease needs ConnectionStrings:Ledger.", nameof(ledger));
        }

        _checkInterval = cluster.Value.ConnectionCheckInterval;
        _connectionString = PostgresClusterConnections.ConnectionString(ledger.Value.ConnectionString, ApplicationNamePrefix + ledger.Value.NodeId, _checkInterval);
        _time = time;
        _logger = logger;
    }

    /// <summary>The second advisory-lock key of a lease name: the first 32 bits of its SHA-256, stable across builds and platforms.</summary>
    public static int KeyOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return BinaryPrimitives.ReadInt32BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
    }

    public async Task<LinkLeaseAttempt> TryTakeAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var idle = _idle;
            _idle = null;
            if (idle is not null)
            {
                try
                {
                    return await AttemptAsync(name, idle, cancellationToken);
                }
                catch (Exception exception) when (exception is NpgsqlException or IOException or TimeoutException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
                {
                    // The idle session may have died since the last attempt (a PostgreSQL restart); a fresh one decides.
                }
            }

            return await AttemptAsync(name, await OpenAsync(cancellationToken), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _gate.WaitAsync();
        try
        {
            if (_idle is not null)
            {
                await _idle.DisposeAsync();
                _idle = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    // Owns the connection: hands it to the lease, keeps it as the idle session, or closes it.
    private async Task<LinkLeaseAttempt> AttemptAsync(string name, NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var key = KeyOf(name);
        var handedOver = false;
        try
        {
            if (connection.FullState != ConnectionState.Open)
            {
                throw new InvalidOperationException("The idle lease session is closed.");
            }

            bool taken;
            await using (var command = new NpgsqlCommand(TryLock, connection))
            {
                command.Parameters.AddWithValue("class", PostgresLocks.LinkLeaseClass);
                command.Parameters.AddWithValue("key", key);
                taken = (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
            }

            if (taken)
            {
                handedOver = true;
                return LinkLeaseAttempt.Taken(new PostgresLinkLease(name, key, connection, _checkInterval, _time, _logger));
            }

            string? holder;
            await using (var command = new NpgsqlCommand(SelectHolder, connection))
            {
                command.Parameters.AddWithValue("class", (long)(uint)PostgresLocks.LinkLeaseClass);
                command.Parameters.AddWithValue("key", (long)(uint)key);
                holder = await command.ExecuteScalarAsync(cancellationToken) as string;
            }

            _idle = connection;
            handedOver = true;
            return LinkLeaseAttempt.HeldElsewhere(HolderName(holder));
        }
        finally
        {
            if (!handedOver)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await PostgresClusterConnections.ConfigureSessionAsync(connection, _checkInterval, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static string? HolderName(string? applicationName) =>
        applicationName is null ? null
        : applicationName.StartsWith(ApplicationNamePrefix, StringComparison.Ordinal) ? applicationName[ApplicationNamePrefix.Length..]
        : applicationName.Length > 0 ? applicationName : null;
}
