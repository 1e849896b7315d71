using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using XmppUpload.Storage.Postgres;
using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests.Postgres;

/// <summary>A fresh database and the ledgers opened on it, each as a separate node would open it; all disposed at the end.</summary>
internal sealed class PostgresLedgerFixture : ILedgerFixture<PostgresLedger>
{
    public const string NodeA = "node-a";

    private readonly List<PostgresLedger> _ledgers = [];

    private PostgresLedgerFixture(string connectionString, TimeProvider time)
    {
        ConnectionString = connectionString;
        Time = time;
    }

    public string ConnectionString { get; }

    public TimeProvider Time { get; }

    public static async Task<PostgresLedgerFixture> CreateAsync(PostgresServer server, TimeProvider time) =>
        new(await server.CreateDatabaseAsync(TestContext.Current.CancellationToken), time);

    /// <summary>A new ledger (its own connection pool) on the same database, as another node or a restart would open it.</summary>
    public PostgresLedger Open(string nodeId = NodeA)
    {
        var ledger = new PostgresLedger(
            Options.Create(new PostgresLedgerOptions { ConnectionString = ConnectionString, NodeId = nodeId }),
            Time,
            NullLogger<PostgresLedger>.Instance);
        _ledgers.Add(ledger);
        return ledger;
    }

    PostgresLedger ILedgerFixture<PostgresLedger>.Open() => Open();

    /// <summary>A raw, unpooled connection for checks the ledger's API does not offer.</summary>
    public NpgsqlConnection OpenRaw()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        return connection;
    }

    public object? Scalar(string sql)
    {
        using var connection = OpenRaw();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    public void Execute(string sql)
    {
        using var connection = OpenRaw();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var ledger in _ledgers)
        {
            await ledger.DisposeAsync();
        }
    }
}
