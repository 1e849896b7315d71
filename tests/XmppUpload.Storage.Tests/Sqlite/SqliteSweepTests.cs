using XmppUpload.Storage.Sqlite;
using static XmppUpload.Storage.Tests.LedgerTestKit;

namespace XmppUpload.Storage.Tests.Sqlite;

/// <summary>The retention rules (<see cref="SweepLedgerContract{TLedger}"/>) on SQLite, where one node alone sweeps.</summary>
public sealed class SqliteSweepTests : SweepLedgerContract<SqliteLedger>
{
    protected override int RequestPruneFactor => SqliteLedger.RequestPruneFactor;

    protected override TimeSpan RequestHistory => SqliteLedger.RequestHistory;

    [Fact]
    public async Task ClaimDeleted_AgainBeforeTheRowsAreRemoved_HandsTheSameRowsOutAgain()
    {
        // No claim lease on SQLite: its one sweeper retries a batch it did not finish on its next run.
        var ledger = OpenLedger();
        var deleted = await Kit.DeletedAsync(ledger, Limits(100 * Size), 3);

        Assert.Equal(2, (await ledger.ClaimDeletedAsync(2, Ct)).Count);

        Assert.Equal(deleted.Order(), (await ledger.ClaimDeletedAsync(10, Ct)).Order());
    }

    protected override ValueTask<ILedgerFixture<SqliteLedger>> CreateFixtureAsync() => new(new LedgerFixture());
}
