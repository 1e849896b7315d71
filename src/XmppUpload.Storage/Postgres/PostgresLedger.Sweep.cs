namespace XmppUpload.Storage.Postgres;

// Retention on a shared database: every node's sweeper runs these. Each batch takes its rows with FOR UPDATE SKIP
// LOCKED in a MATERIALIZED CTE (evaluated once, so the LIMIT and the locks apply to exactly the rows changed), so two
// nodes never change the same rows and neither waits for the other. Deleted rows are claimed with a lease
// (claimed_until) because their blobs are removed outside any transaction, between ClaimDeleted and RemoveDeleted.
public sealed partial class PostgresLedger
{
    /// <summary>
    /// Request rows pruned per lapsed-reservation batch, as a multiple of the batch size (see the SQLite ledger: every
    /// granted request leaves a row but few leave a lapsed reservation).
    /// </summary>
    internal const int RequestPruneFactor = 8;

    /// <summary>
    /// How long a claim on Deleted rows keeps other nodes off them: long enough to delete a batch of blobs, short enough
    /// that the rows of a node that died mid-batch are taken up again soon.
    /// </summary>
    internal static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(5);

    private const string ExpireStored =
        "WITH batch AS MATERIALIZED ("
        + "SELECT id FROM slots WHERE state = 'stored' AND expires_at <= @now LIMIT @batch FOR UPDATE SKIP LOCKED) "
        + "UPDATE slots SET state = 'deleted' FROM batch WHERE slots.id = batch.id";

    // A Pending slot's blob exists only if an upload committed its bytes and then lost the slot (aborted, or taken over
    // and the new attempt failed); the orphan sweep removes such a blob, so the row simply goes.
    private const string RemoveLapsed =
        "WITH batch AS MATERIALIZED ("
        + "SELECT id FROM slots WHERE state = 'pending' AND put_deadline <= @now LIMIT @batch FOR UPDATE SKIP LOCKED) "
        + "DELETE FROM slots USING batch WHERE slots.id = batch.id";

    // Slot.IsAbandoned in SQL: an upload whose lease lapsed after its PUT deadline can be neither finished nor taken
    // over (its node died and no retry came in time). Deleted, not removed: its dead attempt may have committed bytes,
    // which go with the claim of Deleted rows. A row whose lease is being renewed is locked and skipped.
    private const string ReleaseAbandoned =
        "WITH batch AS MATERIALIZED ("
        + "SELECT id FROM slots WHERE state = 'uploading' AND put_deadline <= @now "
        + "AND (upload_lease_until IS NULL OR upload_lease_until <= @now) LIMIT @batch FOR UPDATE SKIP LOCKED) "
        + "UPDATE slots SET state = 'deleted', upload_node = NULL FROM batch WHERE slots.id = batch.id";

    private const string PruneRequests =
        "WITH batch AS MATERIALIZED ("
        + "SELECT id FROM slot_requests WHERE at <= @before LIMIT @batch FOR UPDATE SKIP LOCKED) "
        + "DELETE FROM slot_requests USING batch WHERE slot_requests.id = batch.id";

    private const string ClaimDeleted =
        "WITH batch AS MATERIALIZED ("
        + "SELECT id FROM slots WHERE state = 'deleted' AND (claimed_until IS NULL OR claimed_until <= @now) "
        + "LIMIT @batch FOR UPDATE SKIP LOCKED) "
        + "UPDATE slots SET claimed_until = @until FROM batch WHERE slots.id = batch.id RETURNING slots.id";

    private const string RemoveDeleted = "DELETE FROM slots WHERE state = 'deleted' AND id = ANY(@ids)";

    // Blobs belong to XEP-0363 slots (keyed by slot id) or to WebDAV files (dav_resources.blob_key); both are known.
    private const string SelectKnown =
        "SELECT id FROM slots WHERE id = ANY(@ids) UNION SELECT blob_key FROM dav_resources WHERE blob_key = ANY(@ids)";

    public Task<int> ExpireStoredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return WriteAsync(
            async (connection, transaction, token) =>
            {
                await using var command = Command(connection, transaction, ExpireStored);
                command.Parameters.AddWithValue("now", ToColumn(now));
                command.Parameters.AddWithValue("batch", batchSize);
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
                int removed;
                await using (var command = Command(connection, transaction, RemoveLapsed))
                {
                    command.Parameters.AddWithValue("now", ToColumn(now));
                    command.Parameters.AddWithValue("batch", batchSize);
                    removed = await command.ExecuteNonQueryAsync(token);
                }

                await using (var command = Command(connection, transaction, ReleaseAbandoned))
                {
                    command.Parameters.AddWithValue("now", ToColumn(now));
                    command.Parameters.AddWithValue("batch", batchSize);
                    removed += await command.ExecuteNonQueryAsync(token);
                }

                await using (var command = Command(connection, transaction, PruneRequests))
                {
                    command.Parameters.AddWithValue("before", ToColumn(now - RequestHistory));
                    command.Parameters.AddWithValue("batch", (long)batchSize * RequestPruneFactor);
                    await command.ExecuteNonQueryAsync(token);
                }

                return removed;
            },
            cancellationToken);
    }

    /// <remarks>
    /// Claims the rows for <see cref="ClaimLease"/> (on this ledger's clock): until then no other node's claim returns
    /// them. If the blobs cannot be removed, the rows come back in a later batch once the lease has run out.
    /// </remarks>
    public Task<IReadOnlyList<string>> ClaimDeletedAsync(int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var now = _time.GetUtcNow();
        return WriteAsync<IReadOnlyList<string>>(
            async (connection, transaction, token) =>
            {
                await using var command = Command(connection, transaction, ClaimDeleted);
                command.Parameters.AddWithValue("now", ToColumn(now));
                command.Parameters.AddWithValue("until", ToColumn(now + ClaimLease));
                command.Parameters.AddWithValue("batch", batchSize);
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
        // from removing a served file's row. The ids travel as one text[] parameter, whatever their number.
        await WriteAsync(
            async (connection, transaction, token) =>
            {
                await using var command = Command(connection, transaction, RemoveDeleted);
                command.Parameters.AddWithValue("ids", slotIds.ToArray());
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
        command.Parameters.AddWithValue("ids", slotIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            known.Add(reader.GetString(0));
        }

        return known;
    }
}
