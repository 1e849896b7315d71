using XmppUpload.Storage.Postgres;
using static XmppUpload.Storage.Tests.LedgerTestKit;
using static XmppUpload.Storage.Tests.TestSlots;

namespace XmppUpload.Storage.Tests.Postgres;

/// <summary>
/// The retention rules (<see cref="SweepLedgerContract{TLedger}"/>) on PostgreSQL, and what sweeping on every node adds:
/// a claim holds its rows for <see cref="PostgresLedger.ClaimLease"/>, and sweepers skip the rows another one has locked.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSweepTests(PostgresServerFixture server) : SweepLedgerContract<PostgresLedger>
{
    protected override int RequestPruneFactor => PostgresLedger.RequestPruneFactor;

    protected override TimeSpan RequestHistory => PostgresLedger.RequestHistory;

    [Fact]
    public async Task ClaimDeleted_AgainWhileTheClaimLasts_HandsOutOnlyTheRowsNotClaimed()
    {
        var ledger = OpenLedger();
        await Kit.DeletedAsync(ledger, Limits(100 * Size), 3);
        var firstBatch = await ledger.ClaimDeletedAsync(2, Ct);

        // Claimed rows are not handed out again while the claim lasts, only the third.
        var rest = Assert.Single(await ledger.ClaimDeletedAsync(10, Ct));
        Assert.DoesNotContain(rest, firstBatch);
        Assert.Empty(await ledger.ClaimDeletedAsync(10, Ct));
    }

    [Fact]
    public async Task ClaimDeleted_ClaimNotRemovedWithinTheLease_IsHandedOutAgainAfterIt()
    {
        // A node that died between claiming and removing leaves its claim; another node takes the rows up after the lease.
        var ledger = OpenLedger();
        var file = await Kit.StoreAsync(ledger, Limits(100 * Size));
        Assert.True(await ledger.DeleteFileAsync(Juliet, file.Id, Ct));
        Assert.Equal([file.Id], await ledger.ClaimDeletedAsync(10, Ct));
        var other = PostgresFixture.Open("node-b");

        Time.Advance(PostgresLedger.ClaimLease - TimeSpan.FromMilliseconds(1));
        Assert.Empty(await other.ClaimDeletedAsync(10, Ct));
        Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([file.Id], await other.ClaimDeletedAsync(10, Ct));
    }

    [Fact]
    public async Task TwoSweepers_OnOneDatabase_NeverTakeTheSameRows()
    {
        // Issue 5: the sweeper runs on every node without doing the same work twice.
        var seed = OpenLedger();
        await seed.MigrateAsync(Ct);
        const int Rows = 600;
        Fixture.Execute(
            "INSERT INTO slots (id, owner, file_name, size, purpose, created_at, put_deadline, expires_at, state, stored_at) "
            + "SELECT 'e' || n, 'juliet@capulet.example', 'f', 1, 'message', 0, 0, 1, 'stored', 0 FROM generate_series(1, 600) AS n; "
            + "INSERT INTO slots (id, owner, file_name, size, purpose, created_at, put_deadline, state) "
            + "SELECT 'l' || n, 'juliet@capulet.example', 'f', 1, 'message', 0, 1, 'pending' FROM generate_series(1, 600) AS n; "
            + "INSERT INTO slots (id, owner, file_name, size, purpose, created_at, put_deadline, state) "
            + "SELECT 'd' || n, 'juliet@capulet.example', 'f', 1, 'message', 0, 0, 'deleted' FROM generate_series(1, 600) AS n");
        var sweepers = new[] { PostgresFixture.Open("node-a"), PostgresFixture.Open("node-b") };
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task<(int Expired, int Lapsed, List<string> Claimed)> SweepAsync(PostgresLedger ledger)
        {
            await go.Task;
            int expired = 0, lapsed = 0;
            var claimed = new List<string>();
            while (true)
            {
                var e = await ledger.ExpireStoredAsync(Now, 7, Ct);
                var l = await ledger.RemoveLapsedReservationsAsync(Now, 7, Ct);
                var c = await ledger.ClaimDeletedAsync(7, Ct);
                expired += e;
                lapsed += l;
                claimed.AddRange(c);
                if (e == 0 && l == 0 && c.Count == 0)
                {
                    return (expired, lapsed, claimed);
                }
            }
        }

        var runs = sweepers.Select(s => Task.Run(() => SweepAsync(s), Ct)).ToArray();
        go.SetResult();
        var results = await Task.WhenAll(runs);

        Assert.Equal(Rows, results.Sum(r => r.Expired));
        Assert.Equal(Rows, results.Sum(r => r.Lapsed));

        // Every Deleted row (the 600 already there and the 600 just expired) claimed exactly once, by one node.
        var claims = results.SelectMany(r => r.Claimed).ToList();
        Assert.Equal(2 * Rows, claims.Count);
        Assert.Equal(2 * Rows, claims.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(0L, Fixture.Scalar("SELECT COUNT(*) FROM slots WHERE state <> 'deleted'"));
    }

    protected override async ValueTask<ILedgerFixture<PostgresLedger>> CreateFixtureAsync() =>
        await PostgresLedgerFixture.CreateAsync(server.Server, Time);

    /// <summary>The fixture as PostgreSQL's, whose ledgers can be opened as other nodes.</summary>
    private PostgresLedgerFixture PostgresFixture => (PostgresLedgerFixture)Fixture;
}
