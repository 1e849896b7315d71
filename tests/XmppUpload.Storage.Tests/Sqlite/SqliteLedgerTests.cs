using System.Data.Common;
using Microsoft.Data.Sqlite;
using XmppUpload.Storage.Sqlite;

namespace XmppUpload.Storage.Tests.Sqlite;

/// <summary>The slot records (<see cref="SlotRecordLedgerContract{TLedger}"/>) on SQLite: ledgers on one database file.</summary>
public sealed class SqliteLedgerTests : SlotRecordLedgerContract<SqliteLedger>
{
    // SQLITE_CONSTRAINT (https://www.sqlite.org/rescode.html#constraint): the primary key refused the second row.
    private const int SqliteConstraint = 19;

    protected override bool IsDuplicateKey(DbException error) => error is SqliteException { SqliteErrorCode: SqliteConstraint };

    protected override ValueTask<ILedgerFixture<SqliteLedger>> CreateFixtureAsync() => new(new LedgerFixture());
}
