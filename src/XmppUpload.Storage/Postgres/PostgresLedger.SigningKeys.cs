using Npgsql;
using NpgsqlTypes;
using XmppUpload.Core.Tokens;

namespace XmppUpload.Storage.Postgres;

// The PUT-token keys (ISigningKeyStore), shared by every node. The rules (which keys are in force, what a rotation
// writes) are Core's SigningKeySchedule. Every write to signing_keys holds the SigningKeys advisory lock, so that nodes
// creating the first key at once, or operators and nodes rotating at once, take turns and the later ones see (and
// agree on) the earlier one's key. Reads take no lock and write only when a key has retired, to delete it.
public sealed partial class PostgresLedger
{
    private const string SelectKeys =
        "SELECT id, secret, created_at, activates_at, retires_at FROM signing_keys ORDER BY activates_at DESC, created_at DESC, id DESC";

    private const string InsertKey =
        "INSERT INTO signing_keys (id, secret, created_at, activates_at, retires_at) VALUES (@id, @secret, @created_at, @activates_at, @retires_at)";

    private const string SetKeyRetirement = "UPDATE signing_keys SET retires_at = @retires_at WHERE id = @id AND retires_at IS NULL";

    private const string DeleteKey = "DELETE FROM signing_keys WHERE id = @id";

    public async Task<IReadOnlyList<SigningKey>> GetOrCreateKeysAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);

        // The common case reads only, without taking the lock.
        var existing = await GetKeysAsync(time, cancellationToken);
        if (existing.Count > 0)
        {
            return existing;
        }

        var (keys, created, deleted) = await WriteAsync(
            async (connection, transaction, token) =>
            {
                // Nodes starting at once queue here; those after the first see its key and create none.
                await LockAsync(connection, transaction, PostgresLocks.SigningKeys, token);
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
            PostgresLog.SigningKeyCreated(_logger, created.Id);
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
            async (connection, transaction, token) =>
            {
                await LockAsync(connection, transaction, PostgresLocks.SigningKeys, token);
                return await ReadKeysInForceAsync(connection, transaction, now, token);
            },
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
                await LockAsync(connection, transaction, PostgresLocks.SigningKeys, token);
                // Read the clock after the lock: a rotation that waited for another one sees its key as pending.
                var now = KeyTime(time);
                var (inForce, retired) = await ReadKeysInForceAsync(connection, transaction, now, token);
                var rotation = SigningKeySchedule.PlanRotation(inForce, now, policy);
                if (rotation.Added)
                {
                    await InsertKeyAsync(connection, transaction, rotation.Key, token);
                    foreach (var key in rotation.Retiring)
                    {
                        await using var command = Command(connection, transaction, SetKeyRetirement);
                        command.Parameters.AddWithValue("id", key.Id);
                        command.Parameters.AddWithValue("retires_at", NpgsqlDbType.Bigint, ToColumn(key.RetiresAt));
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
            PostgresLog.SigningKeyCreated(_logger, rotation.Key.Id);
        }

        return rotation;
    }

    /// <summary>The keys not yet retired at <paramref name="now"/>; the retired ones are deleted in the same transaction.</summary>
    private static async Task<(IReadOnlyList<SigningKey> InForce, IReadOnlyList<SigningKey> Deleted)> ReadKeysInForceAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var all = await ReadKeysAsync(connection, transaction, cancellationToken);
        var retired = all.Where(k => k.IsRetiredAt(now)).ToList();
        foreach (var key in retired)
        {
            await using var command = Command(connection, transaction, DeleteKey);
            command.Parameters.AddWithValue("id", key.Id);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return (retired.Count == 0 ? all : [.. all.Where(k => !k.IsRetiredAt(now))], retired);
    }

    private static async Task<IReadOnlyList<SigningKey>> ReadKeysAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, SelectKeys);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<SigningKey>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new SigningKey(reader.GetString(0), reader.GetFieldValue<byte[]>(1), FromColumn(reader.GetInt64(2)))
            {
                ActivatesAt = FromColumn(reader.GetInt64(3)),
                RetiresAt = reader.IsDBNull(4) ? null : FromColumn(reader.GetInt64(4)),
            });
        }

        return keys;
    }

    private static async Task InsertKeyAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        SigningKey key,
        CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, InsertKey);
        command.Parameters.AddWithValue("id", key.Id);
        command.Parameters.AddWithValue("secret", key.Secret);
        command.Parameters.AddWithValue("created_at", ToColumn(key.CreatedAt));
        command.Parameters.AddWithValue("activates_at", ToColumn(key.ActivatesAt));
        command.Parameters.AddWithValue("retires_at", NpgsqlDbType.Bigint, ToColumn(key.RetiresAt));
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
