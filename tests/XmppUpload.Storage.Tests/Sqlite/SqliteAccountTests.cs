using XmppUpload.Storage.Sqlite;

namespace XmppUpload.Storage.Tests.Sqlite;

/// <summary>The account rules (<see cref="AccountLedgerContract{TLedger}"/>) on SQLite: ledgers on one database file.</summary>
public sealed class SqliteAccountTests : AccountLedgerContract<SqliteLedger>
{
    protected override ValueTask<ILedgerFixture<SqliteLedger>> CreateFixtureAsync() => new(new LedgerFixture());
}
