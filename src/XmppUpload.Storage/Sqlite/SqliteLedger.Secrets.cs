using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.Sqlite;

// Named secrets in cluster_secrets (schema version 4): one node's, kept across restarts and shared with every process
// that opens the same database.
public sealed partial class SqliteLedger : ISharedSecretStore
{
    private const string SelectSecret = "SELECT secret FROM cluster_secrets WHERE name = $name";

    // The ledger has no clock of its own; created_at only tells an operator when, so the database's clock will do.
    private const string InsertSecret =
        "INSERT INTO cluster_secrets (name, secret, created_at) VALUES ($name, $secret, CAST(strftime('%s', 'now') AS INTEGER) * 1000)";

    public async Task<byte[]> GetOrCreateSecretAsync(string name, int length, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);

        // The write transaction holds SQLite's single write lock: of processes creating it at once, the first wins
        // and the others read its row.
        var (secret, created) = await WriteAsync(
            async (connection, transaction, token) =>
            {
                await using (var select = connection.CreateCommand())
                {
                    select.Transaction = transaction;
                    select.CommandText = SelectSecret;
                    select.Parameters.AddWithValue("$name", name);
                    if (await select.ExecuteScalarAsync(token) is byte[] existing)
                    {
                        return (existing, false);
                    }
                }

                var fresh = System.Security.Cryptography.RandomNumberGenerator.GetBytes(length);
                await using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = InsertSecret;
                insert.Parameters.AddWithValue("$name", name);
                insert.Parameters.AddWithValue("$secret", fresh);
                await insert.ExecuteNonQueryAsync(token);
                return (fresh, true);
            },
            cancellationToken);

        if (created)
        {
            Log.SharedSecretCreated(_logger, name);
        }

        return secret.Length == length
            ? secret
            : throw new InvalidOperationException(
                $"The shared secret '{name}' in '{DatabasePath}' has {secret.Length} bytes where {length} are needed; it was made by another build.");
    }
}
