using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XmppUpload.Storage.Sqlite;

namespace XmppUpload.Storage.Tests.Sqlite;

/// <summary>A temporary storage directory and the ledgers opened on it; every ledger is disposed before the directory goes.</summary>
internal sealed class LedgerFixture : ILedgerFixture<SqliteLedger>, IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly List<SqliteLedger> _ledgers = [];

    public string StoragePath => _directory.Path;

    public string DatabasePath => _directory.Combine(SqliteLedger.DatabaseFileName);

    /// <summary>A new ledger on the same database file, as a second process or a restart would open it.</summary>
    public SqliteLedger Open()
    {
        var ledger = new SqliteLedger(Options.Create(new StorageOptions { Path = StoragePath }), NullLogger<SqliteLedger>.Instance);
        _ledgers.Add(ledger);
        return ledger;
    }

    /// <summary>A raw connection for checks the ledger's API does not offer; not pooled, so it leaves no handle behind.</summary>
    public SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public object? Scalar(string sql)
    {
        using var connection = OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Execute(string sql)
    {
        using var connection = OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        foreach (var ledger in _ledgers)
        {
            ledger.Dispose();
        }

        _directory.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
