using XmppUpload.Storage.Sqlite;

namespace XmppUpload.Storage.Tests.Sqlite;

/// <summary>The upload rules (<see cref="UploadLedgerContract{TLedger}"/>) on SQLite: ledgers on one database file.</summary>
public sealed class SqliteUploadLedgerTests : UploadLedgerContract<SqliteLedger>
{
    protected override ValueTask<ILedgerFixture<SqliteLedger>> CreateFixtureAsync() => new(new LedgerFixture());
}
