using Microsoft.Data.Sqlite;
using XmppUpload.Core.Tokens;

namespace XmppUpload.Storage.Sqlite;

// The PUT-token keys (ISigningKeyStore). The rules (which keys are in force, what a rotation writes) are Core's
// SigningKeySchedule; here they are read and written in IMMEDIATE transactions, which also serialise a rotation or a
// first-key creation against every other process on the file. Reads stay read-only until a key has retired: the
// first read that sees one deletes it, so a node's periodic reload does not queue behind writers.
public sealed partial class SqliteLedger
{
    // Rows written before migration 4 may lack activates_at; they signed from their creation.
    private const string SelectKeys =
        "SELECT id, secret, created_at, COALESCE(activates_at, created_at), retires_at FROM signing_keys "
        + "ORDER BY COALESCE(activates_at, created_at) DESC, created_at DESC, id DESC";

    private const string InsertKey =
        "INSERT INTO signing_keys (id, secret, created_at, activates_at, retires_at) VALUES ($id, $secret, $created_at, $activates_at, $retires_at)";

    private const string SetKeyRetirement = "UPDATE signing_keys SET retires_at = $retires_at WHERE id = $id AND retires_at IS NULL";

    private const string DeleteKey = "DELETE FROM signing_keys WHERE id = $id";

    public async Task<IReadOnlyList<SigningKey>> GetOrCreateKeysAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);

        // The common case reads only, without queuing behind writers.
        var existing = await GetKeysAsync(time, cancellationToken);
        if (existing.Count > 0)
        {
            return existing;
        }

        var (keys, created, deleted) = await WriteAsync(
            async (connection, transaction, token) =>
            {
                // Another thread or process may have created the key while this one waited for the write lock.
                var now = KeyTime(time);
                var (inForce, retired) = await ReadKeysInForceAsync(connection, transaction, now, token);
                if (inForce.Count > 0)
                {
                    return (inForce, (SigningKey?)null, retired);
                }

                var key = SigningKey.CreateRandom(now);
                await InsertKeyAsync(connection, transaction, key, token);
                return ((IReadOnlyList<SigningKey>)[key], key, retired);
            },
            cancellationToken);

        LogDeleted(deleted);
        if (created is not null)
        {
            Log.SigningKeyCreated(_logger, created.Id);
        }

        return keys;
    }

    public async Task<IReadOnlyList<SigningKey>> GetKeysAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        var now = KeyTime(time);
        IReadOnlyList<SigningKey> all;
        await using (var connection = await OpenAsync(cancellationToken))
        {
            all = await ReadKeysAsync(connection, null, cancellationToken);
        }

        if (!all.Any(k => k.IsRetiredAt(now)))
        {
            return all;
        }

        var (inForce, deleted) = await WriteAsync(
            (connection, transaction, token) => ReadKeysInForceAsync(connection, transaction, now, token),
            cancellationToken);
        LogDeleted(deleted);
        return inForce;
    }

    public async Task<SigningKeyRotation> RotateKeysAsync(TimeProvider time, KeyRotationPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(policy);
        var (rotation, deleted) = await WriteAsync(
            async (connection, transaction, token) =>
            {
                var now = KeyTime(time);
                var (inForce, retired) = await ReadKeysInForceAsync(connection, transaction, now, token);
                var rotation = SigningKeySchedule.PlanRotation(inForce, now, policy);
                if (rotation.Added)
                {
                    await InsertKeyAsync(connection, transaction, rotation.Key, token);
                    foreach (var key in rotation.Retiring)
                    {
                        await using var command = connection.CreateCommand();
                        command.Transaction = transaction;
                        command.CommandText = SetKeyRetirement;
                        command.Parameters.AddWithValue("$id", key.Id);
                        command.Parameters.AddWithValue("$retires_at", ToColumn(key.RetiresAt));
                        await command.ExecuteNonQueryAsync(token);
                    }
                }

                return (rotation, retired);
            },
            cancellationToken);

        LogDeleted(deleted);
        if (rotation is { Added: true, Replaced: { } replaced })
        {
            SigningKeyLog.Rotated(_logger, rotation.Key.Id, rotation.Key.ActivatesAt, replaced.Id, replaced.RetiresAt);
        }
        else if (rotation is { Added: true })
        {
            Log.SigningKeyCreated(_logger, rotation.Key.Id);
        }

        return rotation;
    }

    /// <summary>The keys not yet retired at <paramref name="now"/>; the retired ones are deleted in the same transaction.</summary>
    private static async Task<(IReadOnlyList<SigningKey> InForce, IReadOnlyList<SigningKey> Deleted)> ReadKeysInForceAsync(
        SqliteConnection connection,
        SqliteTransaction transaction,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var all = await ReadKeysAsync(connection, transaction, cancellationToken);
        var retired = all.Where(k => k.IsRetiredAt(now)).ToList();
        foreach (var key in retired)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = DeleteKey;
            command.Parameters.AddWithValue("$id", key.Id);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return (retired.Count == 0 ? all : [.. all.Where(k => !k.IsRetiredAt(now))], retired);
    }

    private static async Task<IReadOnlyList<SigningKey>> ReadKeysAsync(
        SqliteConnection connection,
        SqliteTransaction? transaction,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SelectKeys;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<SigningKey>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new SigningKey(reader.GetString(0), (byte[])reader.GetValue(1), FromColumn(reader.GetInt64(2)))
            {
                ActivatesAt = FromColumn(reader.GetInt64(3)),
                RetiresAt = reader.IsDBNull(4) ? null : FromColumn(reader.GetInt64(4)),
            });
        }

        return keys;
    }

    private static async Task InsertKeyAsync(
        SqliteConnection connection,
        SqliteTransaction transaction,
        SigningKey key,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = InsertKey;
        command.Parameters.AddWithValue("$id", key.Id);
        command.Parameters.AddWithValue("$secret", key.Secret);
        command.Parameters.AddWithValue("$created_at", ToColumn(key.CreatedAt));
        command.Parameters.AddWithValue("$activates_at", ToColumn(key.ActivatesAt));
        command.Parameters.AddWithValue("$retires_at", ToColumn(key.RetiresAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // Whole milliseconds, as stored, so that a key handed back equals the key read back later.
    private static DateTimeOffset KeyTime(TimeProvider time) => FromColumn(ToColumn(time.GetUtcNow()));

    private void LogDeleted(IReadOnlyList<SigningKey> deleted)
    {
        foreach (var key in deleted)
        {
            SigningKeyLog.Deleted(_logger, key.Id, key.RetiresAt);
        }
    }
}
