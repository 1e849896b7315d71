using System.Data.Common;
using Npgsql;
using XmppUpload.Core.Slots;
using XmppUpload.Storage.Postgres;
using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests.Postgres;

/// <summary>
/// The slot records (<see cref="SlotRecordLedgerContract{TLedger}"/>) on PostgreSQL, and what a shared server adds: a
/// node's pool outlives the server's restart, and a node's restart resets only the uploads it still holds.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLedgerTests(PostgresServerFixture server) : SlotRecordLedgerContract<PostgresLedger>
{
    [Fact]
    public async Task Ledger_AfterThePostgresSessionsOfItsPoolWereTerminated_RecoversWithoutBeingReopened()
    {
        // What a PostgreSQL restart does to the connections idle in a node's pool: each session is ended by the server
        // (FATAL 57P01, admin_shutdown) and its socket closed. The node must not need a restart: the first call may fail
        // on a broken connection, and Npgsql then discards it and clears the rest of the pool (Npgsql 6.0 and later),
        // so no later call is handed another broken connection.
        var ledger = OpenLedger();
        var slots = new List<Slot>();
        for (var i = 0; i < 8; i++)
        {
            slots.Add((await CreateAsync(ledger)).Slot);
        }

        // Concurrent reads leave several connections idle in the pool.
        await Task.WhenAll(slots.Select(slot => Task.Run(() => ledger.FindSlotAsync(slot.Id, Ct), Ct)));
        var terminated = (long)Fixture.Scalar(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM ("
            + "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' "
            + "AND pid <> pg_backend_pid() OFFSET 0) AS pooled")!;
        Assert.True(terminated >= 2, $"only {terminated} pooled sessions to end");

        var failures = 0;
        for (var i = 0; i < 3 * slots.Count; i++)
        {
            try
            {
                Assert.Equal(SlotState.Pending, (await ledger.FindSlotAsync(slots[i % slots.Count].Id, Ct))!.State);
            }
            catch (NpgsqlException)
            {
                failures++;
            }
        }

        Assert.InRange(failures, 0, 1);
        Assert.Equal(BeginUploadResult.Started, (await ledger.TryBeginUploadAsync(slots[0].Id, Now, LedgerUploads.Lease, Ct)).Outcome);
    }

    [Fact]
    public async Task ResetInterruptedUploads_UploadsOfAnotherNode_AreLeftStreaming()
    {
        var (ledger, mine) = await CreateAsync();
        var other = PostgresFixture.Open("node-b");
        var (_, theirs) = await CreateAsync(other);
        await ledger.BeginUploadAsync(mine.Id, Now, Ct);
        var theirAttempt = await other.BeginUploadAsync(theirs.Id, Now, Ct);
        await ledger.DisposeAsync();

        var restarted = OpenLedger();
        Assert.Equal(1, await restarted.ResetInterruptedUploadsAsync(Ct));

        Assert.Equal(SlotState.Pending, (await restarted.FindSlotAsync(mine.Id, Ct))!.State);
        Assert.Equal(SlotState.Uploading, (await restarted.FindSlotAsync(theirs.Id, Ct))!.State);
        Assert.True(await other.TryCompleteUploadAsync(theirs.Id, theirAttempt, Now, Ct));
    }

    [Fact]
    public async Task ResetInterruptedUploads_AnUploadAnotherNodeTookOver_IsLeftToThatNode()
    {
        // Node A died mid-upload; a retry on node B took the slot over; then A comes back.
        var (nodeA, slot) = await CreateAsync();
        await nodeA.BeginUploadAsync(slot.Id, Now, Ct);
        await nodeA.DisposeAsync();
        Time.Advance(LedgerUploads.Lease);
        var nodeB = PostgresFixture.Open("node-b");
        var attemptB = await nodeB.BeginUploadAsync(slot.Id, Now, Ct);

        Assert.Equal(0, await OpenLedger().ResetInterruptedUploadsAsync(Ct));

        Assert.True(await nodeB.TryCompleteUploadAsync(slot.Id, attemptB, Now, Ct));
    }

    protected override bool IsDuplicateKey(DbException error) =>
        error is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    protected override async ValueTask<ILedgerFixture<PostgresLedger>> CreateFixtureAsync() =>
        await PostgresLedgerFixture.CreateAsync(server.Server, Time);

    /// <summary>The fixture as PostgreSQL's, whose ledgers can be opened as other nodes.</summary>
    private PostgresLedgerFixture PostgresFixture => (PostgresLedgerFixture)Fixture;

    private async Task<(PostgresLedger Ledger, Slot Slot)> CreateAsync(PostgresLedger? ledger = null)
    {
        ledger ??= OpenLedger();
        var slot = TestSlots.New(Now);
        await ledger.CreateSlotAsync(slot, Ct);
        return (ledger, slot);
    }
}
