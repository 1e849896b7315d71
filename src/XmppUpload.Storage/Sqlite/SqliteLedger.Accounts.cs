using Microsoft.Data.Sqlite;
using XmppUpload.Core.Accounts;
using XmppUpload.Core.Slots;

namespace XmppUpload.Storage.Sqlite;

// Accounts: the quota and rate-window decision of a slot request, and what users and operators see and do with one
// account's files. "Served" is Slot.IsServable in SQL: stored, and expires_at null or after now; "open" is a pending
// slot before its PUT deadline (Slot.TryBeginUpload refuses at the deadline) or an upload in progress.
public sealed partial class SqliteLedger
{
    /// <summary>
    /// How long granted requests are remembered for the rate window (pruned by <see cref="RemoveLapsedReservationsAsync"/>);
    /// a window longer than this counts only this much.
    /// </summary>
    internal static readonly TimeSpan RequestHistory = TimeSpan.FromDays(1);

    private const string ServedStored = "state = 'stored' AND (expires_at IS NULL OR expires_at > $now)";

    private const string OpenReservation = "((state = 'pending' AND put_deadline > $now) OR state = 'uploading')";

    // The bucket's running totals (bucket_totals, kept by triggers: see migration 6) less the rows they still count
    // but a request must not: stored files past their expiry and pending slots past their deadline that the sweeper
    // has not reached yet. Each sub-select is one search of an index by (owner, purpose, state) and a time range, so a
    // request costs the same whatever the bucket holds; the last two are the next expiry and the next lapse.
    internal const string SelectBucketTotals =
        "SELECT "
        + "COALESCE((SELECT stored_bytes FROM bucket_totals WHERE owner = $owner AND purpose = $purpose), 0) - "
        + "(SELECT COALESCE(SUM(size), 0) FROM slots "
        + "WHERE owner = $owner AND purpose = $purpose AND state = 'stored' AND expires_at <= $now), "
        + "COALESCE((SELECT pending_bytes + uploading_bytes FROM bucket_totals WHERE owner = $owner AND purpose = $purpose), 0) - "
        + "(SELECT COALESCE(SUM(size), 0) FROM slots "
        + "WHERE owner = $owner AND purpose = $purpose AND state = 'pending' AND put_deadline <= $now), "
        + "(SELECT expires_at FROM slots WHERE owner = $owner AND purpose = $purpose AND state = 'stored' AND expires_at > $now "
        + "ORDER BY expires_at LIMIT 1), "
        + "(SELECT put_deadline FROM slots WHERE owner = $owner AND purpose = $purpose AND state = 'pending' AND put_deadline > $now "
        + "ORDER BY put_deadline LIMIT 1)";

    private const string SelectOldestStored =
        "SELECT id, size, COALESCE(stored_at, created_at) FROM slots "
        + "WHERE owner = $owner AND purpose = $purpose AND " + ServedStored + " "
        + "ORDER BY stored_at, created_at, id";

    // At most $limit rows: the decision only asks whether the window is full, so a request reads no more than the
    // limit's worth of the account's requests however many the window holds (an operator may lower the limit).
    private const string SelectRequestWindow =
        "SELECT COUNT(*), MIN(at) FROM "
        + "(SELECT at FROM slot_requests WHERE owner = $owner AND at > $since ORDER BY at LIMIT $limit)";

    // Three index range scans (slots_state_expires_at covers the first; slots_state_put_deadline the others).
    private const string SelectGlobalUsed =
        "SELECT "
        + "(SELECT COALESCE(SUM(size), 0) FROM slots WHERE " + ServedStored + ") + "
        + "(SELECT COALESCE(SUM(size), 0) FROM slots WHERE state = 'pending' AND put_deadline > $now) + "
        + "(SELECT COALESCE(SUM(size), 0) FROM slots WHERE state = 'uploading')";

    private const string EvictStored =
        "UPDATE slots SET state = 'deleted' WHERE id = $id AND owner = $owner AND state = 'stored'";

    private const string InsertRequest = "INSERT INTO slot_requests (owner, at) VALUES ($owner, $at)";

    private const string SelectUsage =
        "SELECT purpose, "
        + "COALESCE(SUM(CASE WHEN " + ServedStored + " THEN size END), 0), "
        + "COUNT(CASE WHEN " + ServedStored + " THEN 1 END), "
        + "COALESCE(SUM(CASE WHEN " + OpenReservation + " THEN size END), 0) "
        + "FROM slots WHERE owner = $owner AND state IN ('pending', 'uploading', 'stored') GROUP BY purpose";

    private const string SelectFiles =
        "SELECT " + SlotColumns + " FROM slots WHERE owner = $owner AND " + ServedStored + " "
        + "ORDER BY stored_at DESC, created_at DESC, id DESC";

    private const string DeleteFile =
        "UPDATE slots SET state = 'deleted' WHERE id = $id AND owner = $owner AND state = 'stored'";

    private const string DeleteAccountSlots = "UPDATE slots SET state = 'deleted' WHERE owner = $owner RETURNING id";

    private const string DeleteAccountRequests = "DELETE FROM slot_requests WHERE owner = $owner";

    /// <remarks>
    /// Commits without waiting for the disk (see <see cref="WriteAsync{T}"/>): what a power cut could take back is a
    /// grant whose PUT has not completed (any completion commits durably, and with it every grant before it). The
    /// client's PUT to such a slot is then refused as for any unknown slot and it asks again; the lost request row
    /// only gives back rate-window budget, and files the grant evicted are served again, since their blobs are
    /// removed only after the sweeper's claim of Deleted rows, a durable commit later in the same log.
    /// </remarks>
    public Task<AccountDecision> ReserveSlotAsync(Slot slot, AccountLimits limits, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slot);
        ArgumentNullException.ThrowIfNull(limits);
        if (limits.Bucket.Purpose != slot.Purpose)
        {
            throw new ArgumentException(
                $"The slot is for the {slot.Purpose} bucket but the limits are the {limits.Bucket.Purpose} bucket's.",
                nameof(limits));
        }

        return WriteAsync(
            async (connection, transaction, token) =>
            {
                // BEGIN IMMEDIATE holds the database's write lock from here to the commit: no other request, PUT or
                // sweeper (in this process or another) changes the account between this read and the writes below.
                var snapshot = await ReadSnapshotAsync(connection, transaction, slot, limits, now, token);
                var decision = AccountRules.Decide(snapshot, slot.Size, limits, now);
                if (!decision.IsGranted)
                {
                    return decision;
                }

                foreach (var evicted in decision.Evict)
                {
                    await using var evict = Command(connection, transaction, EvictStored);
                    evict.Parameters.AddWithValue("$id", evicted);
                    evict.Parameters.AddWithValue("$owner", slot.Owner);
                    await evict.ExecuteNonQueryAsync(token);
                }

                await InsertSlotAsync(connection, transaction, slot, token);

                await using var request = Command(connection, transaction, InsertRequest);
                request.Parameters.AddWithValue("$owner", slot.Owner);
                request.Parameters.AddWithValue("$at", ToColumn(now));
                await request.ExecuteNonQueryAsync(token);
                return decision;
            },
            cancellationToken,
            durable: false);
    }

    public async Task<IReadOnlyList<BucketUsage>> GetUsageAsync(string owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, SelectUsage);
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$now", ToColumn(now));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var usage = new List<BucketUsage>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var bucket = new BucketUsage(
                SlotStateNames.ParsePurpose(reader.GetString(0)),
                reader.GetInt64(1),
                reader.GetInt32(2),
                reader.GetInt64(3));

            // Rows that are neither served nor open (expired, lapsed, not yet swept) are nothing to the user.
            if (bucket.StoredFiles > 0 || bucket.ReservedBytes > 0)
            {
                usage.Add(bucket);
            }
        }

        usage.Sort((a, b) => a.Purpose.CompareTo(b.Purpose));
        return usage;
    }

    public async Task<IReadOnlyList<Slot>> ListFilesAsync(string owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, SelectFiles);
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$now", ToColumn(now));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var files = new List<Slot>();
        while (await reader.ReadAsync(cancellationToken))
        {
            files.Add(ReadSlot(reader));
        }

        return files;
    }

    public Task<bool> DeleteFileAsync(string owner, string slotId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(slotId);

        // The owner is part of the condition, so another account's id is "no such file", never a deletion.
        return WriteAsync(
            async (connection, transaction, token) =>
            {
                await using var command = Command(connection, transaction, DeleteFile);
                command.Parameters.AddWithValue("$id", slotId);
                command.Parameters.AddWithValue("$owner", owner);
                return await command.ExecuteNonQueryAsync(token) == 1;
            },
            cancellationToken);
    }

    /// <remarks>
    /// One transaction for the whole account, so a purge is all or nothing; it holds the write lock for as long as
    /// updating the account's rows takes (an operator's command, not a request path).
    /// </remarks>
    public Task<IReadOnlyList<string>> DeleteAccountAsync(string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return WriteAsync<IReadOnlyList<string>>(
            async (connection, transaction, token) =>
            {
                // Rows already Deleted are returned too: their blobs may not be gone yet, and a purge removes everything.
                var ids = new List<string>();
                await using (var command = Command(connection, transaction, DeleteAccountSlots))
                {
                    command.Parameters.AddWithValue("$owner", owner);
                    await using var reader = await command.ExecuteReaderAsync(token);
                    while (await reader.ReadAsync(token))
                    {
                        ids.Add(reader.GetString(0));
                    }
                }

                await using (var command = Command(connection, transaction, DeleteAccountRequests))
                {
                    command.Parameters.AddWithValue("$owner", owner);
                    await command.ExecuteNonQueryAsync(token);
                }

                return ids;
            },
            cancellationToken);
    }

    private static async Task<AccountSnapshot> ReadSnapshotAsync(
        SqliteConnection connection,
        SqliteTransaction transaction,
        Slot slot,
        AccountLimits limits,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var purpose = PurposeNames.ElementName(slot.Purpose);
        var nowColumn = ToColumn(now);

        long stored, reserved;
        DateTimeOffset? nextExpiry, nextLapse;
        await using (var command = Command(connection, transaction, SelectBucketTotals))
        {
            command.Parameters.AddWithValue("$owner", slot.Owner);
            command.Parameters.AddWithValue("$purpose", purpose);
            command.Parameters.AddWithValue("$now", nowColumn);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            stored = reader.GetInt64(0);
            reserved = reader.GetInt64(1);
            nextExpiry = reader.IsDBNull(2) ? null : FromColumn(reader.GetInt64(2));
            nextLapse = reader.IsDBNull(3) ? null : FromColumn(reader.GetInt64(3));
        }

        var oldest = await ReadEvictionCandidatesAsync(connection, transaction, slot, limits, stored + reserved, nowColumn, cancellationToken);

        int requests;
        DateTimeOffset? oldestRequest;
        await using (var command = Command(connection, transaction, SelectRequestWindow))
        {
            command.Parameters.AddWithValue("$owner", slot.Owner);
            command.Parameters.AddWithValue("$since", ToColumn(now - limits.Window));
            command.Parameters.AddWithValue("$limit", limits.RequestsPerWindow);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            requests = reader.GetInt32(0);
            oldestRequest = reader.IsDBNull(1) ? null : FromColumn(reader.GetInt64(1));
        }

        // The global sum scans every live row; it is read only when an operator set a global quota.
        var globalUsed = 0L;
        if (limits.GlobalQuota is not null)
        {
            await using var command = Command(connection, transaction, SelectGlobalUsed);
            command.Parameters.AddWithValue("$now", nowColumn);
            globalUsed = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        return new AccountSnapshot(stored, reserved, oldest, nextExpiry, nextLapse, requests, oldestRequest, globalUsed);
    }

    /// <summary>
    /// The bucket's served files, oldest first, but only as many as eviction could need: none unless the bucket evicts
    /// and the request does not fit, and then only until their sizes cover the excess (so a request never reads an
    /// account's whole file list). <see cref="AccountRules.Decide"/> evicts in this order and stops at the same point.
    /// </summary>
    private static async Task<IReadOnlyList<StoredFileRef>> ReadEvictionCandidatesAsync(
        SqliteConnection connection,
        SqliteTransaction transaction,
        Slot slot,
        AccountLimits limits,
        long used,
        long nowColumn,
        CancellationToken cancellationToken)
    {
        var bucket = limits.Bucket;
        var excess = used + slot.Size - bucket.Quota;
        if (bucket.OverQuota != OverQuotaRule.EvictOldest || excess <= 0 || slot.Size > bucket.Quota)
        {
            return [];
        }

        await using var command = Command(connection, transaction, SelectOldestStored);
        command.Parameters.AddWithValue("$owner", slot.Owner);
        command.Parameters.AddWithValue("$purpose", PurposeNames.ElementName(slot.Purpose));
        command.Parameters.AddWithValue("$now", nowColumn);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var files = new List<StoredFileRef>();
        var freed = 0L;
        while (freed < excess && await reader.ReadAsync(cancellationToken))
        {
            var file = new StoredFileRef(reader.GetString(0), reader.GetInt64(1), FromColumn(reader.GetInt64(2)));
            files.Add(file);
            freed += file.Size;
        }

        return files;
    }
}
