using Npgsql;
using NpgsqlTypes;
using XmppUpload.Core.Tokens;

namespace XmppUpload.Storage.Postgres;

// The PUT-token keys (ISigningKeyStore), shared by every node. What is created, retired and deleted is decided by
// SigningKeyLedger (after Core's SigningKeySchedule); here are the SQL and the transactions. Every write to
// signing_keys holds the SigningKeys advisory lock, so that nodes creating the first key at once, or operators and
// nodes rotating at once, take turns and the later ones see (and agree on) the earlier one's key. Reads take no lock
// and write only when a key has retired, to delete it.
public sealed partial class PostgresLedger : ISigningKeyTable
{
    private const string SelectKeys =
        "SELECT id, secret, created_at, activates_at, retires_at FROM signing_keys ORDER BY activates_at DESC, created_at DESC, id DESC";

    private const string InsertKey =
        "INSERT INTO signing_keys (id, secret, created_at, activates_at, retires_at) VALUES (@id, @secret, @created_at, @activates_at, @retires_at)";

    private const string SetKeyRetirement = "UPDATE signing_keys SET retires_at = @retires_at WHERE id = @id AND retires_at IS NULL";

    private const string DeleteKey = "DELETE FROM signing_keys WHERE id = @id";

    public Task<IReadOnlyList<SigningKey>> GetOrCreateKeysAsync(TimeProvider time, CancellationToken cancellationToken) =>
        SigningKeyLedger.GetOrCreateKeysAsync(this, time, _logger, PostgresLog.SigningKeyCreated, cancellationToken);

    public Task<IReadOnlyList<SigningKey>> GetKeysAsync(TimeProvider time, CancellationToken cancellationToken) =>
        SigningKeyLedger.GetKeysAsync(this, time, _logger, cancellationToken);

    public Task<SigningKeyRotation> RotateKeysAsync(TimeProvider time, KeyRotationPolicy policy, CancellationToken cancellationToken) =>
        SigningKeyLedger.RotateKeysAsync(this, time, policy, _logger, PostgresLog.SigningKeyCreated, cancellationToken);

    async Task<IReadOnlyList<SigningKey>> ISigningKeyTable.ReadKeysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, SelectKeys);
        return await SigningKeyLedger.ReadAllAsync(command, cancellationToken);
    }

    Task<T> ISigningKeyTable.WriteKeysAsync<T>(Func<ISigningKeyRows, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync(
            async (connection, transaction, token) =>
            {
                // Taken before the first read, so a writer that waited here sees what the one before it wrote.
                await LockAsync(connection, transaction, PostgresLocks.SigningKeys, token);
                return await work(new SigningKeyRows(connection, transaction), token);
            },
            cancellationToken);

    private sealed class SigningKeyRows(NpgsqlConnection connection, NpgsqlTransaction transaction) : ISigningKeyRows
    {
        public async Task<IReadOnlyList<SigningKey>> ReadAsync(CancellationToken cancellationToken)
        {
            await using var command = Command(connection, transaction, SelectKeys);
            return await SigningKeyLedger.ReadAllAsync(command, cancellationToken);
        }

        public async Task InsertAsync(SigningKey key, CancellationToken cancellationToken)
        {
            await using var command = Command(connection, transaction, InsertKey);
            command.Parameters.AddWithValue("id", key.Id);
            command.Parameters.AddWithValue("secret", key.Secret);
            command.Parameters.AddWithValue("created_at", ToColumn(key.CreatedAt));
            command.Parameters.AddWithValue("activates_at", ToColumn(key.ActivatesAt));
            command.Parameters.AddWithValue("retires_at", NpgsqlDbType.Bigint, ToColumn(key.RetiresAt));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public async Task SetRetirementAsync(SigningKey key, CancellationToken cancellationToken)
        {
            await using var command = Command(connection, transaction, SetKeyRetirement);
            command.Parameters.AddWithValue("id", key.Id);
            command.Parameters.AddWithValue("retires_at", NpgsqlDbType.Bigint, ToColumn(key.RetiresAt));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public async Task DeleteAsync(SigningKey key, CancellationToken cancellationToken)
        {
            await using var command = Command(connection, transaction, DeleteKey);
            command.Parameters.AddWithValue("id", key.Id);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
