using Microsoft.Data.Sqlite;
using XmppUpload.Core.Tokens;

namespace XmppUpload.Storage.Sqlite;

// The PUT-token keys (ISigningKeyStore). What is created, retired and deleted is decided by SigningKeyLedger (after
// Core's SigningKeySchedule); here they are read and written in IMMEDIATE transactions, which also serialise a rotation
// or a first-key creation against every other process on the file. Reads stay read-only until a key has retired: the
// first read that sees one deletes it, so a node's periodic reload does not queue behind writers.
public sealed partial class SqliteLedger : ISigningKeyTable
{
    // Rows written before migration 4 may lack activates_at; they signed from their creation.
    private const string SelectKeys =
        "SELECT id, secret, created_at, COALESCE(activates_at, created_at), retires_at FROM signing_keys "
        + "ORDER BY COALESCE(activates_at, created_at) DESC, created_at DESC, id DESC";

    private const string InsertKey =
        "INSERT INTO signing_keys (id, secret, created_at, activates_at, retires_at) VALUES ($id, $secret, $created_at, $activates_at, $retires_at)";

    private const string SetKeyRetirement = "UPDATE signing_keys SET retires_at = $retires_at WHERE id = $id AND retires_at IS NULL";

    private const string DeleteKey = "DELETE FROM signing_keys WHERE id = $id";

    public Task<IReadOnlyList<SigningKey>> GetOrCreateKeysAsync(TimeProvider time, CancellationToken cancellationToken) =>
        SigningKeyLedger.GetOrCreateKeysAsync(this, time, _logger, Log.SigningKeyCreated, cancellationToken);

    public Task<IReadOnlyList<SigningKey>> GetKeysAsync(TimeProvider time, CancellationToken cancellationToken) =>
        SigningKeyLedger.GetKeysAsync(this, time, _logger, cancellationToken);

    public Task<SigningKeyRotation> RotateKeysAsync(TimeProvider time, KeyRotationPolicy policy, CancellationToken cancellationToken) =>
        SigningKeyLedger.RotateKeysAsync(this, time, policy, _logger, Log.SigningKeyCreated, cancellationToken);

    async Task<IReadOnlyList<SigningKey>> ISigningKeyTable.ReadKeysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, SelectKeys);
        return await SigningKeyLedger.ReadAllAsync(command, cancellationToken);
    }

    // WriteAsync's IMMEDIATE transaction already excludes every other writer on the file.
    Task<T> ISigningKeyTable.WriteKeysAsync<T>(Func<ISigningKeyRows, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction, token) => work(new SigningKeyRows(connection, transaction), token), cancellationToken);

    private sealed class SigningKeyRows(SqliteConnection connection, SqliteTransaction transaction) : ISigningKeyRows
    {
        public async Task<IReadOnlyList<SigningKey>> ReadAsync(CancellationToken cancellationToken)
        {
            await using var command = Command(connection, transaction, SelectKeys);
            return await SigningKeyLedger.ReadAllAsync(command, cancellationToken);
        }

        public async Task InsertAsync(SigningKey key, CancellationToken cancellationToken)
        {
            await using var command = Command(connection, transaction, InsertKey);
            command.Parameters.AddWithValue("$id", key.Id);
            command.Parameters.AddWithValue("$secret", key.Secret);
            command.Parameters.AddWithValue("$created_at", ToColumn(key.CreatedAt));
            command.Parameters.AddWithValue("$activates_at", ToColumn(key.ActivatesAt));
            command.Parameters.AddWithValue("$retires_at", ToColumn(key.RetiresAt));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public async Task SetRetirementAsync(SigningKey key, CancellationToken cancellationToken)
        {
            await using var command = Command(connection, transaction, SetKeyRetirement);
            command.Parameters.AddWithValue("$id", key.Id);
            command.Parameters.AddWithValue("$retires_at", ToColumn(key.RetiresAt));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public async Task DeleteAsync(SigningKey key, CancellationToken cancellationToken)
        {
            await using var command = Command(connection, transaction, DeleteKey);
            command.Parameters.AddWithValue("$id", key.Id);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
