using XmppUpload.Storage.Sqlite;

namespace XmppUpload.Storage.Tests.Sqlite;

/// <summary>The upload rules (<see cref="UploadLedgerContract{TLedger}"/>) on SQLite: ledgers on one database file.</summary>
public sealed class SqliteUploadLedgerTests : UploadLedgerContract<SqliteLedger>
{
    private readonly LedgerFixture _fixture = new();

    protected override SqliteLedger OpenLedger() => _fixture.Open();

    protected override ValueTask DisposeStoreAsync()
    {
        _fixture.Dispose();
        return ValueTask.CompletedTask;
    }
}
