using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace XmppUpload.Storage.Sqlite;

// Retention: each call is one bounded batch in its own short IMMEDIATE transaction, so a slot request or a PUT waits
// at most one batch for the write lock. SQLite has one writer, so there is nothing to claim between nodes here: two
// sweepers on one file (a node and an operator's "sweep once") may list the same Deleted rows, and removing a blob
// twice is harmless.
public sealed partial class SqliteLedger
{
    /// <summary>
    /// Request rows pruned per lapsed-reservation batch, as a multiple of the batch size. Every granted request leaves a
    /// row but few leave a lapsed reservation, so the sweeper's drain (which stops at a short batch of lapses) would
    /// fall behind a busy service at one batch of rows per run; these rows are tiny and go by index.
    /// </summary>
    internal const int RequestPruneFactor = 8;

    // Batches select row ids through an index first: SQLite's DELETE/UPDATE ... LIMIT is a compile-time option.
    private const string ExpireStored =
        "UPDATE slots SET state = 'deleted' WHERE id IN "
        + "(SELECT id FROM slots WHERE state = 'stored' AND expires_at <= $now LIMIT $batch)";

    private const string RemoveLapsed =
        "DELETE FROM slots WHERE id IN "
        + "(SELECT id FROM slots WHERE state = 'pending' AND put_deadline <= $now LIMIT $batch)";

    // Slot.IsAbandoned in SQL: an upload whose lease lapsed after its PUT deadline can be neither finished nor taken
    // over. Deleted, not removed: its dead attempt may have committed bytes, which go with the claim of Deleted rows.
    private const string ReleaseAbandoned =
        "UPDATE slots SET state = 'deleted' WHERE id IN "
        + "(SELECT id FROM slots WHERE state = 'uploading' AND put_deadline <= $now "
        + "AND (upload_lease_until IS NULL OR upload_lease_until <= $now) LIMIT $batch)";

    private const string PruneRequests =
        "DELETE FROM slot_requests WHERE rowid IN (SELECT rowid FROM slot_requests WHERE at <= $before LIMIT $batch)";

    // A write, not a read: its durable commit syncs the log and with it every earlier commit, among them slot grants
    // committed without a sync that evicted these files (see ReserveSlotAsync); only then may their blobs go.
    private const string ClaimDeleted =
        "UPDATE slots SET claimed_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 WHERE id IN "
        + "(SELECT id FROM slots WHERE state = 'deleted' LIMIT $batch) RETURNING id";

    // The ids travel as one JSON array parameter, whatever their number (no variable limit, one cached statement).
    private const string RemoveDeleted =
        "DELETE FROM slots WHERE state = 'deleted' AND id IN (SELECT value FROM json_each($ids))";

    // Blobs belong to XEP-0363 slots (keyed by slot id) or to WebDAV files (dav_resources.blob_key); both are known.
    private const string SelectKnown =
        "SELECT id FROM slots WHERE id IN (SELECT value FROM json_each($ids)) "
        + "UNION SELECT blob_key FROM dav_resources WHERE blob_key IN (SELECT value FROM json_each($ids))";

    public Task<int> ExpireStoredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return WriteAsync(
            async (connection, transaction, token) =>
            {
                await using var command = Command(connection, transaction, ExpireStored);
                command.Parameters.AddWithValue("$now", ToColumn(now));
                command.Parameters.AddWithValue("$batch", batchSize);
                return await command.ExecuteNonQueryAsync(token);
            },
            cancellationToken);
    }

    /// <remarks>
    /// Also releases up to a batch of abandoned uploads (see <see cref="Core.Slots.Slot.IsAbandoned"/>), counted with the
    /// lapsed reservations, and forgets up to <see cref="RequestPruneFactor"/> times the batch size of granted requests
    /// older than <see cref="RequestHistory"/>, which are not counted.
    /// </remarks>
    public Task<int> RemoveLapsedReservationsAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return WriteAsync(
            async (connection, transaction, token) =>
            {
                // A Pending slot's blob exists only if an upload committed its bytes and then lost the slot (aborted, or
                // taken over and the new attempt failed); the orphan sweep removes such a blob, so the row simply goes.
                int removed;
                await using (var command = Command(connection, transaction, RemoveLapsed))
                {
                    command.Parameters.AddWithValue("$now", ToColumn(now));
                    command.Parameters.AddWithValue("$batch", batchSize);
                    removed = await command.ExecuteNonQueryAsync(token);
                }

                await using (var command = Command(connection, transaction, ReleaseAbandoned))
                {
                    command.Parameters.AddWithValue("$now", ToColumn(now));
                    command.Parameters.AddWithValue("$batch", batchSize);
                    removed += await command.ExecuteNonQueryAsync(token);
                }

                await PruneRequestsAsync(connection, transaction, now, batchSize, token);
                return removed;
            },
            cancellationToken);
    }

    public Task<IReadOnlyList<string>> ClaimDeletedAsync(int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return WriteAsync<IReadOnlyList<string>>(
            async (connection, transaction, token) =>
            {
                await using var command = Command(connection, transaction, ClaimDeleted);
                command.Parameters.AddWithValue("$batch", batchSize);
                await using var reader = await command.ExecuteReaderAsync(token);
                var ids = new List<string>();
                while (await reader.ReadAsync(token))
                {
                    ids.Add(reader.GetString(0));
                }

                return ids;
            },
            cancellationToken);
    }

    public async Task RemoveDeletedAsync(IReadOnlyCollection<string> slotIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slotIds);
        if (slotIds.Count == 0)
        {
            return;
        }

        // Only rows still Deleted: an id never goes back to another state, but the condition keeps a mistaken call
        // from removing a served file's row.
        await WriteAsync(
            async (connection, transaction, token) =>
            {
                await using var command = Command(connection, transaction, RemoveDeleted);
                command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(slotIds));
                return await command.ExecuteNonQueryAsync(token);
            },
            cancellationToken);
    }

    public async Task<IReadOnlySet<string>> FindKnownAsync(IReadOnlyCollection<string> slotIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slotIds);
        var known = new HashSet<string>(StringComparer.Ordinal);
        if (slotIds.Count == 0)
        {
            return known;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, SelectKnown);
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(slotIds));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            known.Add(reader.GetString(0));
        }

        return known;
    }

    private static async Task<int> PruneRequestsAsync(
        SqliteConnection connection,
        SqliteTransaction transaction,
        DateTimeOffset now,
        int batchSize,
        CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, PruneRequests);
        command.Parameters.AddWithValue("$before", ToColumn(now - RequestHistory));
        command.Parameters.AddWithValue("$batch", (long)batchSize * RequestPruneFactor);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
