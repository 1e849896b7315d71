using System.Security.Cryptography;
using System.Text;
using Npgsql;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.HttpAuth;

namespace XmppUpload.Storage.Postgres;

/// <summary>
/// <see cref="IHttpAuthStateStore"/> in the cluster's PostgreSQL ledger (<c>dav_nonce_counts</c> and
/// <c>dav_confirmations</c>, schema version 2), so that a nonce count used on one node is a replay on every other and
/// a user's answer given through one node holds on all of them. Every check and record is one statement, atomic
/// across nodes through the tables' primary keys. Transaction ids are passwords, so only a hash of each is stored.
/// </summary>
public sealed class PostgresHttpAuthStateStore : IHttpAuthStateStore
{
    // One statement: how often the nonce was used and whether with this count, then the insert if neither forbids it.
    // ON CONFLICT covers two nodes inserting the same count at once: the later one waits, inserts nothing, and so
    // learns that the count is taken.
    private const string UseNonceCount = """
        WITH used AS (
            SELECT count(*)::integer AS uses, COALESCE(bool_or(nonce_count = @nonce_count), false) AS replayed
            FROM dav_nonce_counts WHERE nonce = @nonce),
        inserted AS (
            INSERT INTO dav_nonce_counts (nonce, nonce_count, expires_at)
            SELECT @nonce, @nonce_count, @expires_at FROM used WHERE NOT used.replayed AND used.uses < @max_uses
            ON CONFLICT (nonce, nonce_count) DO NOTHING
            RETURNING 1)
        SELECT (SELECT count(*) FROM inserted)::integer, used.uses, used.replayed FROM used
        """;

    private const string SelectAnswer =
        "SELECT confirmed FROM dav_confirmations WHERE jid = @jid AND transaction_hash = @hash AND answered_at > @after";

    private const string UpsertAnswer =
        "INSERT INTO dav_confirmations (jid, transaction_hash, confirmed, answered_at, expires_at) "
        + "VALUES (@jid, @hash, @confirmed, @answered_at, @expires_at) "
        + "ON CONFLICT (jid, transaction_hash) DO UPDATE SET "
        + "confirmed = excluded.confirmed, answered_at = excluded.answered_at, expires_at = excluded.expires_at";

    // Bounded batches that skip rows another node is removing (indexes *_expires_at).
    private const string RemoveExpiredNonceCounts =
        "WITH batch AS MATERIALIZED ("
        + "SELECT nonce, nonce_count FROM dav_nonce_counts WHERE expires_at <= @now LIMIT @batch FOR UPDATE SKIP LOCKED) "
        + "DELETE FROM dav_nonce_counts AS n USING batch WHERE n.nonce = batch.nonce AND n.nonce_count = batch.nonce_count";

    private const string RemoveExpiredAnswers =
        "WITH batch AS MATERIALIZED ("
        + "SELECT jid, transaction_hash FROM dav_confirmations WHERE expires_at <= @now LIMIT @batch FOR UPDATE SKIP LOCKED) "
        + "DELETE FROM dav_confirmations AS c USING batch WHERE c.jid = batch.jid AND c.transaction_hash = batch.transaction_hash";

    private readonly PostgresLedger _ledger;

    public PostgresHttpAuthStateStore(PostgresLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        _ledger = ledger;
    }

    public async Task<NonceCountUse> TryUseNonceCountAsync(
        string nonce, uint nonceCount, DateTimeOffset nonceExpiresAt, int maxUsesPerNonce, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        await using var connection = await _ledger.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(UseNonceCount, connection);
        command.Parameters.AddWithValue("nonce", nonce);
        command.Parameters.AddWithValue("nonce_count", (long)nonceCount);
        command.Parameters.AddWithValue("expires_at", nonceExpiresAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("max_uses", maxUsesPerNonce);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var inserted = reader.GetInt32(0);
        var uses = reader.GetInt32(1);
        var replayed = reader.GetBoolean(2);
        return inserted == 1 ? NonceCountUse.Fresh
            : replayed ? NonceCountUse.Replayed
            : uses >= maxUsesPerNonce ? NonceCountUse.NonceExhausted

            // Neither used before nor exhausted, yet not inserted: another node inserted this very count meanwhile.
            : NonceCountUse.Replayed;
    }

    public async Task<ConfirmationOutcome?> FindAnswerAsync(Jid jid, string transactionId, DateTimeOffset answeredAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jid);
        ArgumentNullException.ThrowIfNull(transactionId);
        await using var connection = await _ledger.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(SelectAnswer, connection);
        command.Parameters.AddWithValue("jid", jid.ToString());
        command.Parameters.AddWithValue("hash", TransactionHash(jid, transactionId));
        command.Parameters.AddWithValue("after", answeredAfter.ToUnixTimeMilliseconds());
        return await command.ExecuteScalarAsync(cancellationToken) is bool confirmed
            ? confirmed ? ConfirmationOutcome.Confirmed : ConfirmationOutcome.Denied
            : null;
    }

    public async Task RecordAnswerAsync(
        Jid jid, string transactionId, bool confirmed, DateTimeOffset answeredAt, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jid);
        ArgumentNullException.ThrowIfNull(transactionId);
        await using var connection = await _ledger.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(UpsertAnswer, connection);
        command.Parameters.AddWithValue("jid", jid.ToString());
        command.Parameters.AddWithValue("hash", TransactionHash(jid, transactionId));
        command.Parameters.AddWithValue("confirmed", confirmed);
        command.Parameters.AddWithValue("answered_at", answeredAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("expires_at", keepUntil.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> RemoveExpiredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        await using var connection = await _ledger.OpenConnectionAsync(cancellationToken);
        var removed = 0;
        foreach (var sql in new[] { RemoveExpiredNonceCounts, RemoveExpiredAnswers })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("now", now.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("batch", batchSize);
            removed += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return removed;
    }

    /// <summary>
    /// SHA-256 of the JID (as given), a zero byte and the transaction id, in UTF-8. The JID salts it, so one table of
    /// guessed ids does not fit every account; the zero byte keeps the two parts apart, as neither may contain one.
    /// </summary>
    internal static byte[] TransactionHash(Jid jid, string transactionId)
    {
        var text = jid.ToString() + "\0" + transactionId;
        return SHA256.HashData(Encoding.UTF8.GetBytes(text));
    }
}
