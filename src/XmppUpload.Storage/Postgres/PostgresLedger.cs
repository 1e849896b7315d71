using System.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using XmppUpload.Core.Accounts;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Storage.Sqlite;

namespace XmppUpload.Storage.Postgres;

/// <summary>
/// The cluster ledger: slots, accounts and signing keys in one PostgreSQL database shared by every node. Every state
/// change is one READ COMMITTED transaction that locks what it decides on (the account's row for a slot request, the
/// slot's row for a transition), applies the rule of <see cref="AccountRules"/> or <see cref="Slot"/> and writes the
/// result, so that the rules stay in Core and each change is atomic across connections and nodes. Sweeper batches
/// claim rows with <c>FOR UPDATE SKIP LOCKED</c>. Safe for concurrent use; one <see cref="NpgsqlDataSource"/> (one
/// connection pool) per instance; the schema is migrated on first use (or by <see cref="MigrateAsync"/>).
/// </summary>
public sealed partial class PostgresLedger : ILedger, IAccountLedger, ISweepLedger, ISigningKeyStore, IDisposable, IAsyncDisposable
{
    private const string SlotColumns =
        "id, owner, file_name, size, content_type, purpose, created_at, put_deadline, expires_at, state, stored_at, "
        + "upload_attempt, upload_lease_until";

    private const string SelectSlotById = "SELECT " + SlotColumns + " FROM slots WHERE id = @id";

    private const string SelectSlotForUpdate = "SELECT " + SlotColumns + " FROM slots WHERE id = @id FOR UPDATE";

    // A node that died leaves its uploads Uploading; at its restart it takes back only its own (see NodeId).
    private const string SelectInterrupted =
        "SELECT " + SlotColumns + " FROM slots WHERE state = 'uploading' AND (upload_node = @node OR upload_node IS NULL) FOR UPDATE";

    private const string InsertSlot =
        "INSERT INTO slots (" + SlotColumns + ", upload_node) VALUES "
        + "(@id, @owner, @file_name, @size, @content_type, @purpose, @created_at, @put_deadline, @expires_at, @state, @stored_at, "
        + "@upload_attempt, @upload_lease_until, @upload_node)";

    private const string UpdateSlotState =
        "UPDATE slots SET state = @state, stored_at = @stored_at, upload_attempt = @upload_attempt, "
        + "upload_lease_until = @upload_lease_until, upload_node = @upload_node WHERE id = @id";

    // Slot.TryRenewUpload in one statement, outside any explicit transaction (one round trip): a renewal runs every few
    // seconds per upload. The row lock it takes orders it with a concurrent takeover, which then sees the new lease.
    private const string RenewLease =
        "UPDATE slots SET upload_lease_until = @until WHERE id = @id AND state = 'uploading' AND upload_attempt = @attempt";

    private const string AdvisoryLock = "SELECT pg_advisory_xact_lock(@key)";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _nodeId;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _migrationGate = new(1, 1);
    private volatile bool _migrated;
    private int _disposed;

    public PostgresLedger(IOptions<PostgresLedgerOptions> options, TimeProvider time, ILogger<PostgresLedger> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        var value = options.Value;
        if (string.IsNullOrWhiteSpace(value.ConnectionString))
        {
            throw new ArgumentException("The PostgreSQL ledger needs ConnectionStrings:Ledger.", nameof(options));
        }

        var builder = new NpgsqlConnectionStringBuilder(value.ConnectionString);
        DataSourceName = $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
        _dataSource = new NpgsqlDataSourceBuilder(value.ConnectionString) { Name = "ledger" }.Build();
        _nodeId = value.NodeId;
        _time = time;
        _logger = logger;
    }

    /// <summary>Host, port and database, for messages (never the password).</summary>
    public string DataSourceName { get; }

    /// <summary>
    /// Brings the schema to the version this build knows, in one transaction holding an advisory lock, so that nodes
    /// starting at once apply each migration once and wait for each other. Idempotent; refuses a database written by a
    /// newer build. Returns the schema version.
    /// </summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        if (_migrated)
        {
            return PostgresSchema.LatestVersion;
        }

        await _migrationGate.WaitAsync(cancellationToken);
        try
        {
            if (_migrated)
            {
                return PostgresSchema.LatestVersion;
            }

            var applied = new List<int>();
            await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken))
            await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken))
            {
                await LockAsync(connection, transaction, PostgresLocks.Migration, cancellationToken);
                await ExecuteAsync(connection, transaction, PostgresSchema.CreateVersionTable, cancellationToken);
                await using (var select = Command(connection, transaction, PostgresSchema.SelectVersion))
                {
                    var version = (int)(await select.ExecuteScalarAsync(cancellationToken))!;
                    if (version > PostgresSchema.LatestVersion)
                    {
                        throw new InvalidOperationException(
                            $"The ledger {DataSourceName} has schema version {version}, newer than the {PostgresSchema.LatestVersion} this build knows: run the newer build on every node, or restore a backup made by this one.");
                    }

                    foreach (var migration in PostgresSchema.Migrations)
                    {
                        if (migration.Version <= version)
                        {
                            continue;
                        }

                        await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
                        await using var record = Command(connection, transaction, PostgresSchema.InsertVersion);
                        record.Parameters.AddWithValue("version", migration.Version);
                        await record.ExecuteNonQueryAsync(cancellationToken);
                        applied.Add(migration.Version);
                    }
                }

                await transaction.CommitAsync(cancellationToken);
            }

            foreach (var version in applied)
            {
                PostgresLog.MigrationApplied(_logger, DataSourceName, version);
            }

            _migrated = true;
            return PostgresSchema.LatestVersion;
        }
        finally
        {
            _migrationGate.Release();
        }
    }

    public async Task CreateSlotAsync(Slot slot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slot);
        await WriteAsync(
            async (connection, transaction, token) =>
            {
                await InsertSlotAsync(connection, transaction, slot, token);
                return true;
            },
            cancellationToken);
    }

    public async Task<Slot?> FindSlotAsync(string slotId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slotId);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, SelectSlotById);
        command.Parameters.AddWithValue("id", slotId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadSlot(reader) : null;
    }

    /// <remarks>
    /// Leases are compared with the <paramref name="now"/> of the node that asks, so the nodes' clocks must agree to well
    /// within the lease (NTP does): a node whose clock runs ahead would take over an upload that early.
    /// </remarks>
    public Task<UploadBegin> TryBeginUploadAsync(string slotId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        ChangeSlotAsync(slotId, UploadBegin.NotFound, SlotChanges.BeginUpload(now, lease), cancellationToken);

    public async Task<bool> TryRenewUploadAsync(string slotId, string attempt, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slotId);
        ArgumentNullException.ThrowIfNull(attempt);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, RenewLease);
        command.Parameters.AddWithValue("id", slotId);
        command.Parameters.AddWithValue("attempt", attempt);
        command.Parameters.AddWithValue("until", ToColumn(leaseUntil));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public Task<bool> TryCompleteUploadAsync(string slotId, string attempt, DateTimeOffset now, CancellationToken cancellationToken) =>
        ChangeSlotAsync(slotId, false, slot => slot.TryComplete(now, attempt), cancellationToken);

    public Task<bool> TryAbortUploadAsync(string slotId, string attempt, CancellationToken cancellationToken) =>
        ChangeSlotAsync(slotId, false, slot => slot.TryAbort(attempt), cancellationToken);

    /// <remarks>
    /// Only this node's uploads (<see cref="PostgresLedgerOptions.NodeId"/>): the other nodes' are still streaming, and
    /// returning them to Pending would make their completion fail. Uploads of a node that died and does not come back
    /// are taken over by a retry once their lease lapses, or released by the sweeper after their deadline.
    /// </remarks>
    public async Task<int> ResetInterruptedUploadsAsync(CancellationToken cancellationToken)
    {
        var count = await WriteAsync(
            async (connection, transaction, token) =>
            {
                var interrupted = new List<Slot>();
                await using (var command = Command(connection, transaction, SelectInterrupted))
                {
                    command.Parameters.AddWithValue("node", _nodeId);
                    await using var reader = await command.ExecuteReaderAsync(token);
                    while (await reader.ReadAsync(token))
                    {
                        interrupted.Add(ReadSlot(reader));
                    }
                }

                // This node's uploads all died with its process, whatever their leases say.
                var reset = 0;
                foreach (var slot in interrupted)
                {
                    if (slot.TryResetInterrupted())
                    {
                        await UpdateStateAsync(connection, transaction, slot, token);
                        reset++;
                    }
                }

                return reset;
            },
            cancellationToken);

        if (count > 0)
        {
            PostgresLog.InterruptedUploadsReset(_logger, count);
        }

        return count;
    }

    /// <summary>Closes the pooled connections.</summary>
    public void Dispose()
    {
        // The container disposes this once per registration that hands it out.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _dataSource.Dispose();
        _migrationGate.Dispose();
    }

    /// <inheritdoc cref="Dispose"/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _dataSource.DisposeAsync();
        _migrationGate.Dispose();
    }

    private Task<T> ChangeSlotAsync<T>(string slotId, T notFound, Func<Slot, T> rule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slotId);
        return WriteAsync(
            async (connection, transaction, token) =>
            {
                // The row lock makes concurrent PUTs of one slot (on any node) take turns: exactly one sees Pending.
                Slot? slot;
                await using (var command = Command(connection, transaction, SelectSlotForUpdate))
                {
                    command.Parameters.AddWithValue("id", slotId);
                    await using var reader = await command.ExecuteReaderAsync(token);
                    slot = await reader.ReadAsync(token) ? ReadSlot(reader) : null;
                }

                if (slot is null)
                {
                    return notFound;
                }

                return await SlotChanges.ApplyAsync(slot, rule, changed => UpdateStateAsync(connection, transaction, changed, token));
            },
            cancellationToken);
    }

    private async Task<T> WriteAsync<T>(
        Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<T>> work,
        CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        var result = await work(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_migrated)
        {
            await MigrateAsync(cancellationToken);
        }

        return await _dataSource.OpenConnectionAsync(cancellationToken);
    }

    private static Slot ReadSlot(NpgsqlDataReader reader)
    {
        var template = new Slot
        {
            Id = reader.GetString(0),
            Owner = reader.GetString(1),
            FileName = reader.GetString(2),
            Size = reader.GetInt64(3),
            ContentType = reader.IsDBNull(4) ? null : reader.GetString(4),
            Purpose = SlotStateNames.ParsePurpose(reader.GetString(5)),
            CreatedAt = FromColumn(reader.GetInt64(6)),
            PutDeadline = FromColumn(reader.GetInt64(7)),
            ExpiresAt = reader.IsDBNull(8) ? null : FromColumn(reader.GetInt64(8)),
        };
        return Slot.Restore(
            template,
            SlotStateNames.ParseState(reader.GetString(9)),
            reader.IsDBNull(10) ? null : FromColumn(reader.GetInt64(10)),
            reader.IsDBNull(11) ? null : reader.GetString(11),
            reader.IsDBNull(12) ? null : FromColumn(reader.GetInt64(12)));
    }

    private async Task InsertSlotAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        Slot slot,
        CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, InsertSlot);
        command.Parameters.AddWithValue("id", slot.Id);
        command.Parameters.AddWithValue("owner", slot.Owner);
        command.Parameters.AddWithValue("file_name", slot.FileName);
        command.Parameters.AddWithValue("size", slot.Size);
        command.Parameters.AddWithValue("content_type", NpgsqlTypes.NpgsqlDbType.Text, (object?)slot.ContentType ?? DBNull.Value);
        command.Parameters.AddWithValue("purpose", PurposeNames.ElementName(slot.Purpose));
        command.Parameters.AddWithValue("created_at", ToColumn(slot.CreatedAt));
        command.Parameters.AddWithValue("put_deadline", ToColumn(slot.PutDeadline));
        command.Parameters.AddWithValue("expires_at", NpgsqlTypes.NpgsqlDbType.Bigint, ToColumn(slot.ExpiresAt));
        command.Parameters.AddWithValue("state", SlotStateNames.Name(slot.State));
        command.Parameters.AddWithValue("stored_at", NpgsqlTypes.NpgsqlDbType.Bigint, ToColumn(slot.StoredAt));
        AddUploadParameters(command, slot);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task UpdateStateAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        Slot slot,
        CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, UpdateSlotState);
        command.Parameters.AddWithValue("id", slot.Id);
        command.Parameters.AddWithValue("state", SlotStateNames.Name(slot.State));
        command.Parameters.AddWithValue("stored_at", NpgsqlTypes.NpgsqlDbType.Bigint, ToColumn(slot.StoredAt));
        AddUploadParameters(command, slot);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private void AddUploadParameters(NpgsqlCommand command, Slot slot)
    {
        command.Parameters.AddWithValue("upload_attempt", NpgsqlTypes.NpgsqlDbType.Text, (object?)slot.UploadAttempt ?? DBNull.Value);
        command.Parameters.AddWithValue("upload_lease_until", NpgsqlTypes.NpgsqlDbType.Bigint, ToColumn(slot.UploadLeaseUntil));
        // The node that streams an upload is the one that began (or took over) its attempt: this one.
        command.Parameters.AddWithValue("upload_node", NpgsqlTypes.NpgsqlDbType.Text, slot.State == SlotState.Uploading ? _nodeId : DBNull.Value);
    }

    private static async Task LockAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        long key,
        CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, AdvisoryLock);
        command.Parameters.AddWithValue("key", key);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        string sql,
        CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    // Unix milliseconds, UTC, as in the SQLite ledger. Finer ticks are dropped (rounding down, so an expiry never moves later).
    private static long ToColumn(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    private static object ToColumn(DateTimeOffset? value) => value is { } v ? v.ToUnixTimeMilliseconds() : DBNull.Value;

    private static DateTimeOffset FromColumn(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);
}
