using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Accounts;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;

namespace XmppUpload.Storage.Sqlite;

/// <summary>
/// The single-node ledger: slots and signing keys in one SQLite database, <c>{Storage:Path}/ledger.db</c>. Every state
/// change is one <c>BEGIN IMMEDIATE</c> transaction that reads the row, applies the rule of <see cref="Slot"/> and
/// writes the result back, so that the rules stay in Core and SQLite's single writer makes each change atomic across
/// threads and processes. Safe for concurrent use; the schema is migrated on first use (or by <see cref="MigrateAsync"/>).
/// Account decisions (<see cref="ReserveSlotAsync"/>) read the account and write the result in one such transaction;
/// the account and sweeper operations live in <c>SqliteLedger.Accounts.cs</c> and <c>SqliteLedger.Sweep.cs</c>.
/// </summary>
public sealed partial class SqliteLedger : ILedger, IAccountLedger, ISweepLedger, ISigningKeyStore, IDisposable
{
    public const string DatabaseFileName = "ledger.db";

    // How long a writer waits for another process (an admin command) holding the write lock before it fails.
    private const int BusyTimeoutMilliseconds = 10_000;

    // FULL syncs the WAL at every commit: a 201 tells the client its file is kept, and NORMAL could let a power cut
    // roll that commit back while the blob survives.
    private const string ConnectionPragmas = "PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL;";

    // For changes a power cut may undo without harm (see WriteAsync's durable parameter). In WAL mode a commit under
    // NORMAL is appended to the log without a sync; the next FULL commit syncs the log and with it every earlier commit,
    // so a power cut loses a suffix of the NORMAL commits, never a FULL one nor anything before it.
    private const string SynchronousNormal = "PRAGMA synchronous = NORMAL";

    private const string SynchronousFull = "PRAGMA synchronous = FULL";

    private const string SlotColumns =
        "id, owner, file_name, size, content_type, purpose, created_at, put_deadline, expires_at, state, stored_at, "
        + "upload_attempt, upload_lease_until";

    private const string SelectSlotById = "SELECT " + SlotColumns + " FROM slots WHERE id = $id";

    private const string SelectSlotsByState = "SELECT " + SlotColumns + " FROM slots WHERE state = $state";

    private const string InsertSlot =
        "INSERT INTO slots (" + SlotColumns + ") VALUES "
        + "($id, $owner, $file_name, $size, $content_type, $purpose, $created_at, $put_deadline, $expires_at, $state, $stored_at, "
        + "$upload_attempt, $upload_lease_until)";

    private const string UpdateSlotState =
        "UPDATE slots SET state = $state, stored_at = $stored_at, upload_attempt = $upload_attempt, "
        + "upload_lease_until = $upload_lease_until WHERE id = $id";

    // Slot.TryRenewUpload in one statement: a renewal runs every few seconds per upload, so it reads nothing first.
    private const string RenewLease =
        "UPDATE slots SET upload_lease_until = $until WHERE id = $id AND state = 'uploading' AND upload_attempt = $attempt";

    private readonly string _connectionString;
    private readonly ILogger _logger;

    private readonly SemaphoreSlim _migrationGate = new(1, 1);

    // What each physical connection of the pool has been set to (a pooled connection keeps its pragmas), so that an
    // open from the pool costs no statement and the synchronous mode changes only when a write wants the other one.
    private readonly ConditionalWeakTable<object, ConnectionSettings> _connectionSettings = new();
    private volatile bool _migrated;
    private int _disposed;

    public SqliteLedger(IOptions<StorageOptions> options, ILogger<SqliteLedger> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        DatabasePath = Path.Combine(Path.GetFullPath(options.Value.Path), DatabaseFileName);
        _logger = logger;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString();
    }

    /// <summary>The absolute path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>
    /// Brings the schema to the version this build knows, in one transaction, and switches the database to WAL.
    /// Idempotent; refuses a database written by a newer build.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        if (_migrated)
        {
            return;
        }

        await _migrationGate.WaitAsync(cancellationToken);
        try
        {
            if (_migrated)
            {
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
            await using var connection = await OpenConnectionAsync(cancellationToken);

            // The journal mode is stored in the file and cannot change inside a transaction.
            var journalMode = (string?)await ScalarAsync(connection, null, "PRAGMA journal_mode = WAL", cancellationToken);
            if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                Log.NotInWalMode(_logger, DatabasePath, journalMode ?? "unknown");
            }

            var applied = new List<int>();
            await using (var transaction = connection.BeginTransaction(deferred: false))
            {
                // Read inside the write transaction: another process migrating at the same time waits, then sees its work.
                var version = (int)(long)(await ScalarAsync(connection, transaction, "PRAGMA user_version", cancellationToken))!;
                if (version > SqliteSchema.LatestVersion)
                {
                    throw new InvalidOperationException(
                        $"The ledger '{DatabasePath}' has schema version {version}, newer than the {SqliteSchema.LatestVersion} this build knows: run the newer build, or restore a backup made by this one.");
                }

                foreach (var migration in SqliteSchema.Migrations)
                {
                    if (migration.Version <= version)
                    {
                        continue;
                    }

                    await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
                    // PRAGMA takes no parameters; the version is our own integer.
                    await ExecuteAsync(
                        connection,
                        transaction,
                        string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {migration.Version}"),
                        cancellationToken);
                    applied.Add(migration.Version);
                }

                await transaction.CommitAsync(cancellationToken);
            }

            foreach (var version in applied)
            {
                Log.MigrationApplied(_logger, DatabasePath, version);
            }

            _migrated = true;
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
        return await ReadSlotAsync(connection, null, slotId, cancellationToken);
    }

    // Beginning, renewing and aborting an upload need not survive a power cut: one node owns this database, and its
    // start resets every upload in progress to pending (ResetInterruptedUploadsAsync), which is where a lost begin or
    // abort leaves the slot too. Completing one must survive it: that commit is what the 201 promises.
    public Task<UploadBegin> TryBeginUploadAsync(string slotId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        ChangeSlotAsync(slotId, UploadBegin.NotFound, SlotChanges.BeginUpload(now, lease), cancellationToken, durable: false);

    public Task<bool> TryRenewUploadAsync(string slotId, string attempt, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slotId);
        ArgumentNullException.ThrowIfNull(attempt);
        return WriteAsync(
            async (connection, transaction, token) =>
            {
                await using var command = Command(connection, transaction, RenewLease);
                command.Parameters.AddWithValue("$id", slotId);
                command.Parameters.AddWithValue("$attempt", attempt);
                command.Parameters.AddWithValue("$until", ToColumn(leaseUntil));
                return await command.ExecuteNonQueryAsync(token) == 1;
            },
            cancellationToken,
            durable: false);
    }

    public Task<bool> TryCompleteUploadAsync(string slotId, string attempt, DateTimeOffset now, CancellationToken cancellationToken) =>
        ChangeSlotAsync(slotId, false, slot => slot.TryComplete(now, attempt), cancellationToken);

    public Task<bool> TryAbortUploadAsync(string slotId, string attempt, CancellationToken cancellationToken) =>
        ChangeSlotAsync(slotId, false, slot => slot.TryAbort(attempt), cancellationToken, durable: false);

    public async Task<int> ResetInterruptedUploadsAsync(CancellationToken cancellationToken)
    {
        var count = await WriteAsync(
            async (connection, transaction, token) =>
            {
                var interrupted = new List<Slot>();
                await using (var command = connection.CreateCommand())
                {
                    command.Transaction = transaction;
                    command.CommandText = SelectSlotsByState;
                    command.Parameters.AddWithValue("$state", SlotStateNames.Uploading);
                    await using var reader = await command.ExecuteReaderAsync(token);
                    while (await reader.ReadAsync(token))
                    {
                        interrupted.Add(ReadSlot(reader));
                    }
                }

                // One node owns this database: every upload in progress died with its process, whatever its lease says.
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
            Log.InterruptedUploadsReset(_logger, count);
        }

        return count;
    }

    /// <summary>Closes the pooled connections, which checkpoints the WAL into the database file.</summary>
    public void Dispose()
    {
        // The container disposes this once per registration that hands it out (ILedger, IAccountLedger, ISweepLedger,
        // ISigningKeyStore, itself).
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // A batch still running closes the writer when it ends (see DrainAsync).
        lock (_queueGate)
        {
            if (!_draining)
            {
                CloseWriter();
            }
        }

        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _migrationGate.Dispose();
    }

    private Task<T> ChangeSlotAsync<T>(string slotId, T notFound, Func<Slot, T> rule, CancellationToken cancellationToken, bool durable = true)
    {
        ArgumentNullException.ThrowIfNull(slotId);
        return WriteAsync(
            async (connection, transaction, token) =>
            {
                var slot = await ReadSlotAsync(connection, transaction, slotId, token);
                if (slot is null)
                {
                    return notFound;
                }

                return await SlotChanges.ApplyAsync(slot, rule, changed => UpdateStateAsync(connection, transaction, changed, token));
            },
            cancellationToken,
            durable);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_migrated)
        {
            await MigrateAsync(cancellationToken);
        }

        return await OpenConnectionAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            var settings = _connectionSettings.GetValue(connection.Handle!, static _ => new ConnectionSettings());
            if (!settings.Configured)
            {
                await ExecuteAsync(connection, null, ConnectionPragmas, cancellationToken);
                settings.Configured = true;
                settings.Durable = true;
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The <c>PRAGMA synchronous</c> of the writer connection as the last batch left it (1 NORMAL, 2 FULL), for tests
    /// that wait for each write before the next.
    /// </summary>
    internal async Task<long> ReadWriterSynchronousAsync(CancellationToken cancellationToken)
    {
        lock (_queueGate)
        {
            if (_draining || _writer is null)
            {
                throw new InvalidOperationException("A write is running, or none has run yet.");
            }
        }

        return (long)(await ScalarAsync(_writer, null, "PRAGMA synchronous", cancellationToken))!;
    }

    private async Task SetSynchronousAsync(SqliteConnection connection, bool durable, CancellationToken cancellationToken)
    {
        var settings = _connectionSettings.GetValue(connection.Handle!, static _ => new ConnectionSettings());
        if (settings.Durable != durable)
        {
            await ExecuteAsync(connection, null, durable ? SynchronousFull : SynchronousNormal, cancellationToken);
            settings.Durable = durable;
        }
    }

    private static async Task<Slot?> ReadSlotAsync(
        SqliteConnection connection,
        SqliteTransaction? transaction,
        string slotId,
        CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, SelectSlotById);
        command.Parameters.AddWithValue("$id", slotId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadSlot(reader) : null;
    }

    private static Slot ReadSlot(SqliteDataReader reader)
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

    private static async Task InsertSlotAsync(
        SqliteConnection connection,
        SqliteTransaction transaction,
        Slot slot,
        CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, InsertSlot);
        command.Parameters.AddWithValue("$id", slot.Id);
        command.Parameters.AddWithValue("$owner", slot.Owner);
        command.Parameters.AddWithValue("$file_name", slot.FileName);
        command.Parameters.AddWithValue("$size", slot.Size);
        command.Parameters.AddWithValue("$content_type", (object?)slot.ContentType ?? DBNull.Value);
        command.Parameters.AddWithValue("$purpose", PurposeNames.ElementName(slot.Purpose));
        command.Parameters.AddWithValue("$created_at", ToColumn(slot.CreatedAt));
        command.Parameters.AddWithValue("$put_deadline", ToColumn(slot.PutDeadline));
        command.Parameters.AddWithValue("$expires_at", ToColumn(slot.ExpiresAt));
        command.Parameters.AddWithValue("$state", SlotStateNames.Name(slot.State));
        command.Parameters.AddWithValue("$stored_at", ToColumn(slot.StoredAt));
        command.Parameters.AddWithValue("$upload_attempt", (object?)slot.UploadAttempt ?? DBNull.Value);
        command.Parameters.AddWithValue("$upload_lease_until", ToColumn(slot.UploadLeaseUntil));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task UpdateStateAsync(
        SqliteConnection connection,
        SqliteTransaction transaction,
        Slot slot,
        CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, UpdateSlotState);
        command.Parameters.AddWithValue("$id", slot.Id);
        command.Parameters.AddWithValue("$state", SlotStateNames.Name(slot.State));
        command.Parameters.AddWithValue("$stored_at", ToColumn(slot.StoredAt));
        command.Parameters.AddWithValue("$upload_attempt", (object?)slot.UploadAttempt ?? DBNull.Value);
        command.Parameters.AddWithValue("$upload_lease_until", ToColumn(slot.UploadLeaseUntil));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(
        SqliteConnection connection,
        SqliteTransaction? transaction,
        string sql,
        CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(
        SqliteConnection connection,
        SqliteTransaction? transaction,
        string sql,
        CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    // Unix milliseconds, UTC. Finer ticks are dropped (rounding down, so an expiry never moves later).
    private static long ToColumn(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    private static object ToColumn(DateTimeOffset? value) => value is { } v ? v.ToUnixTimeMilliseconds() : DBNull.Value;

    private static DateTimeOffset FromColumn(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);

    /// <summary>The pragmas one physical connection has; used by one open connection at a time, like the connection.</summary>
    private sealed class ConnectionSettings
    {
        public bool Configured { get; set; }

        public bool Durable { get; set; }
    }
}
