using XmppUpload.Core.Slots;
using XmppUpload.Storage.Postgres;
using XmppUpload.Testing;
using static XmppUpload.Storage.Tests.Postgres.PostgresAccountTestKit;
using static XmppUpload.Storage.Tests.TestSlots;

namespace XmppUpload.Storage.Tests.Postgres;

public sealed class PostgresSweepTests(PostgresServerFixture server) : PostgresTestBase(server)
{
    [Fact]
    public async Task ExpireStored_InBatches_DeletesOnlyStoredFilesPastTheirExpiry()
    {
        var ledger = Fixture.Open();
        var limits = Limits(100 * Size);
        var expiring = new List<Slot>();
        for (var i = 0; i < 5; i++)
        {
            expiring.Add(await Kit.StoreAsync(ledger, limits, retention: TimeSpan.FromMinutes(1)));
        }

        var later = await Kit.StoreAsync(ledger, limits, retention: TimeSpan.FromMinutes(2));
        var forever = await Kit.StoreAsync(ledger, limits);
        var pending = await Kit.ReserveAsync(ledger, limits, retention: TimeSpan.FromMinutes(1));

        Assert.Equal(0, await ledger.ExpireStoredAsync(Now.AddMinutes(1).AddMilliseconds(-1), 10, Ct));
        Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, await ledger.ExpireStoredAsync(Now, 2, Ct));
        Assert.Equal(2, await ledger.ExpireStoredAsync(Now, 2, Ct));
        Assert.Equal(1, await ledger.ExpireStoredAsync(Now, 2, Ct));
        Assert.Equal(0, await ledger.ExpireStoredAsync(Now, 2, Ct));

        foreach (var slot in expiring)
        {
            Assert.Equal(SlotState.Deleted, await StateAsync(ledger, slot.Id));
        }

        Assert.Equal(SlotState.Stored, await StateAsync(ledger, later.Id));
        Assert.Equal(SlotState.Stored, await StateAsync(ledger, forever.Id));
        Assert.Equal(SlotState.Pending, await StateAsync(ledger, pending.Id));
    }

    [Fact]
    public async Task RemoveLapsedReservations_InBatches_RemovesOnlyPendingSlotsPastTheirDeadlineAndLeavesLiveUploads()
    {
        var ledger = Fixture.Open();
        var limits = Limits(100 * Size);
        var pending = new List<Slot>();
        for (var i = 0; i < 3; i++)
        {
            pending.Add(await Kit.ReserveAsync(ledger, limits));
        }

        var uploading = await Kit.BeginAsync(ledger, limits);
        var stored = await Kit.StoreAsync(ledger, limits);
        var deadline = pending[0].PutDeadline;
        // Still streaming at the deadline: its lease has been renewed past it (abandoned uploads are another test's).
        Assert.True(await ledger.TryRenewUploadAsync(uploading.Id, uploading.UploadAttempt!, deadline.AddSeconds(10), Ct));

        Assert.Equal(0, await ledger.RemoveLapsedReservationsAsync(deadline.AddMilliseconds(-1), 10, Ct));
        Assert.Equal(2, await ledger.RemoveLapsedReservationsAsync(deadline, 2, Ct));
        Assert.Equal(1, await ledger.RemoveLapsedReservationsAsync(deadline, 2, Ct));
        Assert.Equal(0, await ledger.RemoveLapsedReservationsAsync(deadline, 2, Ct));

        foreach (var slot in pending)
        {
            Assert.Null(await ledger.FindSlotAsync(slot.Id, Ct));
        }

        Assert.Equal(SlotState.Uploading, await StateAsync(ledger, uploading.Id));
        Assert.Equal(SlotState.Stored, await StateAsync(ledger, stored.Id));
    }

    [Fact]
    public async Task RemoveLapsedReservations_ForgetsRequestsOlderThanTheRequestHistory()
    {
        var ledger = Fixture.Open();
        var limits = Limits(100 * Size);
        var old = PostgresLedger.RequestPruneFactor + 2;
        for (var i = 0; i < old; i++)
        {
            await Kit.StoreAsync(ledger, limits);
        }

        Time.Advance(PostgresLedger.RequestHistory - TimeSpan.FromMilliseconds(1));
        await Kit.StoreAsync(ledger, limits, owner: Romeo);
        await ledger.RemoveLapsedReservationsAsync(Now, 100, Ct);
        Assert.Equal((long)old + 1, Fixture.Scalar("SELECT COUNT(*) FROM slot_requests"));

        // Batched: a batch size of 1 forgets RequestPruneFactor rows per call.
        Time.Advance(TimeSpan.FromMilliseconds(1));
        await ledger.RemoveLapsedReservationsAsync(Now, 1, Ct);
        Assert.Equal(3L, Fixture.Scalar("SELECT COUNT(*) FROM slot_requests"));
        await ledger.RemoveLapsedReservationsAsync(Now, 1, Ct);
        Assert.Equal(1L, Fixture.Scalar("SELECT COUNT(*) FROM slot_requests"));
        Assert.Equal(Romeo, Fixture.Scalar("SELECT owner FROM slot_requests"));
    }

    [Fact]
    public async Task ClaimDeleted_ReturnsABatchOfDeletedIds_AndRemoveDeletedRemovesOnlyDeletedRows()
    {
        var ledger = Fixture.Open();
        var limits = Limits(100 * Size);
        var deleted = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var slot = await Kit.StoreAsync(ledger, limits);
            Assert.True(await ledger.DeleteFileAsync(Juliet, slot.Id, Ct));
            deleted.Add(slot.Id);
        }

        var stored = await Kit.StoreAsync(ledger, limits);
        var pending = await Kit.ReserveAsync(ledger, limits);

        var firstBatch = await ledger.ClaimDeletedAsync(2, Ct);
        Assert.Equal(2, firstBatch.Count);
        Assert.Subset(deleted.ToHashSet(), firstBatch.ToHashSet());

        // Claimed rows are not handed out again while the claim lasts, only the third.
        var rest = Assert.Single(await ledger.ClaimDeletedAsync(10, Ct));
        Assert.DoesNotContain(rest, firstBatch);
        Assert.Empty(await ledger.ClaimDeletedAsync(10, Ct));

        // A served file's id among them (a caller's mistake) does not remove its row.
        await ledger.RemoveDeletedAsync([.. firstBatch, stored.Id, pending.Id, SlotIds.New()], Ct);

        Assert.Equal(SlotState.Stored, await StateAsync(ledger, stored.Id));
        Assert.Equal(SlotState.Pending, await StateAsync(ledger, pending.Id));
        await ledger.RemoveDeletedAsync([rest], Ct);
        await ledger.RemoveDeletedAsync([], Ct);
        Assert.Empty(await ledger.ClaimDeletedAsync(10, Ct));
    }

    [Fact]
    public async Task FindKnown_ReturnsTheIdsWithARowInAnyState_WhateverTheirNumber()
    {
        var ledger = Fixture.Open();
        var limits = Limits(100 * Size);
        var stored = await Kit.StoreAsync(ledger, limits);
        var pending = await Kit.ReserveAsync(ledger, limits);
        var uploading = await Kit.BeginAsync(ledger, limits);
        var deleted = await Kit.StoreAsync(ledger, limits);
        await ledger.DeleteFileAsync(Juliet, deleted.Id, Ct);

        // More ids than SQLite takes as separate parameters.
        var unknown = Enumerable.Range(0, 40_000).Select(_ => SlotIds.New());
        var known = await ledger.FindKnownAsync([stored.Id, pending.Id, uploading.Id, deleted.Id, .. unknown], Ct);

        Assert.Equal(new[] { stored.Id, pending.Id, uploading.Id, deleted.Id }.Order(), known.Order());
        Assert.Empty(await ledger.FindKnownAsync([], Ct));
    }

    [Fact]
    public async Task Sweep_ExpiredFile_GoesFromServedToDeletedToUnknown()
    {
        var ledger = Fixture.Open();
        var file = await Kit.StoreAsync(ledger, Limits(100 * Size), retention: TimeSpan.FromHours(1));
        Time.Advance(TimeSpan.FromHours(1));

        Assert.Empty(await ledger.ListFilesAsync(Juliet, Now, Ct));
        Assert.Equal(1, await ledger.ExpireStoredAsync(Now, 100, Ct));
        var claimed = await ledger.ClaimDeletedAsync(100, Ct);
        Assert.Equal([file.Id], claimed);
        await ledger.RemoveDeletedAsync(claimed, Ct);

        Assert.Null(await ledger.FindSlotAsync(file.Id, Ct));
        Assert.Empty(await ledger.FindKnownAsync([file.Id], Ct));
    }

    [Fact]
    public async Task SweepBatches_NonPositiveSize_AreABug()
    {
        var ledger = Fixture.Open();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ledger.ExpireStoredAsync(Now, 0, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ledger.RemoveLapsedReservationsAsync(Now, -1, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ledger.ClaimDeletedAsync(0, Ct));
    }

    [Fact]
    public async Task ClaimDeleted_ClaimNotRemovedWithinTheLease_IsHandedOutAgainAfterIt()
    {
        // A node that died between claiming and removing leaves its claim; another node takes the rows up after the lease.
        var ledger = Fixture.Open();
        var file = await Kit.StoreAsync(ledger, Limits(100 * Size));
        Assert.True(await ledger.DeleteFileAsync(Juliet, file.Id, Ct));
        Assert.Equal([file.Id], await ledger.ClaimDeletedAsync(10, Ct));
        var other = Fixture.Open("node-b");

        Time.Advance(PostgresLedger.ClaimLease - TimeSpan.FromMilliseconds(1));
        Assert.Empty(await other.ClaimDeletedAsync(10, Ct));
        Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([file.Id], await other.ClaimDeletedAsync(10, Ct));
    }

    [Fact]
    public async Task TwoSweepers_OnOneDatabase_NeverTakeTheSameRows()
    {
        // Issue 5: the sweeper runs on every node without doing the same work twice.
        var seed = Fixture.Open();
        await seed.MigrateAsync(Ct);
        const int Rows = 600;
        Fixture.Execute(
            "INSERT INTO slots (id, owner, file_name, size, purpose, created_at, put_deadline, expires_at, state, stored_at) "
            + "SELECT 'e' || n, 'juliet@capulet.example', 'f', 1, 'message', 0, 0, 1, 'stored', 0 FROM generate_series(1, 600) AS n; "
            + "INSERT INTO slots (id, owner, file_name, size, purpose, created_at, put_deadline, state) "
            + "SELECT 'l' || n, 'juliet@capulet.example', 'f', 1, 'message', 0, 1, 'pending' FROM generate_series(1, 600) AS n; "
            + "INSERT INTO slots (id, owner, file_name, size, purpose, created_at, put_deadline, state) "
            + "SELECT 'd' || n, 'juliet@capulet.example', 'f', 1, 'message', 0, 0, 'deleted' FROM generate_series(1, 600) AS n");
        var sweepers = new[] { Fixture.Open("node-a"), Fixture.Open("node-b") };
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
}
