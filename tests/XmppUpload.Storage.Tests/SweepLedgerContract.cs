using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using static XmppUpload.Storage.Tests.LedgerTestKit;
using static XmppUpload.Storage.Tests.TestSlots;

namespace XmppUpload.Storage.Tests;

/// <summary>
/// The retention rules every ledger keeps (<see cref="ISweepLedger"/>), run against each one by a subclass: expired files
/// become Deleted, lapsed reservations and old requests go, Deleted rows are handed out for their blobs and then removed,
/// all in bounded batches. Whether a claim holds its rows against a second claim is the ledger's own (see its subclass).
/// </summary>
public abstract class SweepLedgerContract<TLedger> : LedgerContract<TLedger>
    where TLedger : ILedger, IAccountLedger, ISweepLedger
{
    [Fact]
    public async Task ExpireStored_InBatches_DeletesOnlyStoredFilesPastTheirExpiry()
    {
        var ledger = OpenLedger();
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
        var ledger = OpenLedger();
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
        var ledger = OpenLedger();
        var limits = Limits(100 * Size);
        var old = RequestPruneFactor + 2;
        for (var i = 0; i < old; i++)
        {
            await Kit.StoreAsync(ledger, limits);
        }

        Time.Advance(RequestHistory - TimeSpan.FromMilliseconds(1));
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
        var ledger = OpenLedger();
        var limits = Limits(100 * Size);
        var deleted = await Kit.DeletedAsync(ledger, limits, 3);
        var stored = await Kit.StoreAsync(ledger, limits);
        var pending = await Kit.ReserveAsync(ledger, limits);

        var firstBatch = await ledger.ClaimDeletedAsync(2, Ct);
        Assert.Equal(2, firstBatch.Count);
        Assert.Subset(deleted.ToHashSet(), firstBatch.ToHashSet());

        // A served file's id among them (a caller's mistake) does not remove its row.
        await ledger.RemoveDeletedAsync([.. firstBatch, stored.Id, pending.Id, SlotIds.New()], Ct);

        var rest = Assert.Single(await ledger.ClaimDeletedAsync(10, Ct));
        Assert.DoesNotContain(rest, firstBatch);
        Assert.Equal(SlotState.Stored, await StateAsync(ledger, stored.Id));
        Assert.Equal(SlotState.Pending, await StateAsync(ledger, pending.Id));
        await ledger.RemoveDeletedAsync([rest], Ct);
        await ledger.RemoveDeletedAsync([], Ct);
        Assert.Empty(await ledger.ClaimDeletedAsync(10, Ct));
    }

    [Fact]
    public async Task FindKnown_ReturnsTheIdsWithARowInAnyState_WhateverTheirNumber()
    {
        var ledger = OpenLedger();
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
        var ledger = OpenLedger();
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
        var ledger = OpenLedger();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ledger.ExpireStoredAsync(Now, 0, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ledger.RemoveLapsedReservationsAsync(Now, -1, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ledger.ClaimDeletedAsync(0, Ct));
    }

    /// <summary>How many times the batch size of old requests one sweep forgets (the ledger's own constant).</summary>
    protected abstract int RequestPruneFactor { get; }

    /// <summary>How long a granted request is kept for the rate window (the ledger's own constant).</summary>
    protected abstract TimeSpan RequestHistory { get; }
}
