using XmppUpload.Storage.Sqlite;

namespace XmppUpload.Storage.Tests.Sqlite;

/// <summary>
/// Issue 3 (<see cref="AccountConcurrencyLedgerContract{TLedger}"/>) on SQLite. Two ledgers on one file share no
/// in-process lock, as processes (or an operator's command beside the node) would not: there, only BEGIN IMMEDIATE
/// serialises them.
/// </summary>
public sealed class SqliteAccountConcurrencyTests : AccountConcurrencyLedgerContract<SqliteLedger>
{
    protected override IReadOnlyList<SqliteLedger> OpenSeveralLedgers() => [OpenLedger(), OpenLedger()];

    protected override ValueTask<ILedgerFixture<SqliteLedger>> CreateFixtureAsync() => new(new LedgerFixture());
}
