using Npgsql;
using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.Postgres;

// Secrets every node shares (cluster_secrets, schema version 2), and what the stores beside the ledger (the WebDAV tree,
// the XEP-0070 state) borrow from it: its connection pool and the account row lock.
public sealed partial class PostgresLedger : ISharedSecretStore
{
    private const string SelectSecret = "SELECT secret FROM cluster_secrets WHERE name = @name";

    // DO NOTHING waits for a concurrent insert of the same name to commit and then leaves its row: the first wins.
    private const string InsertSecret =
        "INSERT INTO cluster_secrets (name, secret, created_at) VALUES (@name, @secret, @created_at) ON CONFLICT (name) DO NOTHING";

    public async Task<byte[]> GetOrCreateSecretAsync(string name, int length, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        await using var connection = await OpenAsync(cancellationToken);
        var secret = await ReadSecretAsync(connection, name, cancellationToken);
        if (secret is null)
        {
            await using (var insert = Command(connection, null, InsertSecret))
            {
                insert.Parameters.AddWithValue("name", name);
                insert.Parameters.AddWithValue("secret", System.Security.Cryptography.RandomNumberGenerator.GetBytes(length));
                insert.Parameters.AddWithValue("created_at", ToColumn(_time.GetUtcNow()));
                if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    PostgresDavLog.SharedSecretCreated(_logger, name);
                }
            }

            // A statement of its own, so its snapshot includes the row of whichever node won.
            secret = await ReadSecretAsync(connection, name, cancellationToken)
                ?? throw new InvalidOperationException($"The shared secret '{name}' vanished from {DataSourceName} as it was created.");
        }

        return secret.Length == length
            ? secret
            : throw new InvalidOperationException(
                $"The shared secret '{name}' in {DataSourceName} has {secret.Length} bytes where {length} are needed; it was made by another build.");
    }

    /// <summary>A connection from this ledger's pool on the migrated schema, for the stores that share its database.</summary>
    internal Task<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);

    /// <summary>
    /// Locks <paramref name="owner"/>'s row in <c>accounts</c> (creating it) until the transaction ends: the lock slot
    /// requests take, which the WebDAV tree takes too, so that one account's decisions are serialised across nodes.
    /// </summary>
    internal static Task LockAccountRowAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string owner, CancellationToken cancellationToken) =>
        LockAccountAsync(connection, transaction, owner, cancellationToken);

    private static async Task<byte[]?> ReadSecretAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken)
    {
        await using var select = Command(connection, null, SelectSecret);
        select.Parameters.AddWithValue("name", name);
        return await select.ExecuteScalarAsync(cancellationToken) as byte[];
    }
}
