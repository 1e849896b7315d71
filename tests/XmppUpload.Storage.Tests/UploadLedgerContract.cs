using XmppUpload.Core.Accounts;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests;

/// <summary>
/// The upload rules every ledger keeps, run against each one by a subclass: a PUT begins under a new attempt and a
/// lease; only the attempt that holds the slot renews, completes or aborts it; a retry takes over an upload whose lease
/// lapsed before the slot's deadline, never one whose lease is live (see <see cref="Slot"/>). Each
/// <see cref="OpenLedger"/> is another ledger on the same store, as another node, process or restart would open it.
/// </summary>
public abstract class UploadLedgerContract<TLedger> : LedgerContract<TLedger>
    where TLedger : ILedger, IAccountLedger, ISweepLedger
{
    protected static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Begin_PendingBeforeDeadline_StartsUnderANewAttemptAndRecordsItsLease()
    {
        var (ledger, slot) = await CreateAsync();
        var at = slot.PutDeadline.AddMilliseconds(-1);

        var begin = await ledger.TryBeginUploadAsync(slot.Id, at, Lease, Ct);
        var other = await ledger.TryBeginUploadAsync((await CreateAsync(ledger)).Slot.Id, at, Lease, Ct);

        Assert.Equal(BeginUploadResult.Started, begin.Outcome);
        Assert.Equal(UploadAttempts.Length, begin.Attempt?.Length);
        Assert.NotEqual(begin.Attempt, other.Attempt);
        Assert.Equal(at + Lease, begin.LeaseUntil);
        Assert.False(begin.TookOver);
        var found = await OpenLedger().FindSlotAsync(slot.Id, Ct);
        Assert.Equal(SlotState.Uploading, found!.State);
        Assert.Equal(begin.Attempt, found.UploadAttempt);
        Assert.Equal(at + Lease, found.UploadLeaseUntil);
    }

    [Fact]
    public async Task Begin_AtTheDeadline_IsExpiredAndStaysPending()
    {
        var (ledger, slot) = await CreateAsync();

        var begin = await ledger.TryBeginUploadAsync(slot.Id, slot.PutDeadline, Lease, Ct);

        Assert.Equal(UploadBegin.Expired, begin);
        var found = await ledger.FindSlotAsync(slot.Id, Ct);
        Assert.Equal(SlotState.Pending, found!.State);
        Assert.Null(found.UploadAttempt);
    }

    [Fact]
    public async Task Begin_OnAnotherNodeWhileTheLeaseIsLive_IsInProgressAndSaysWhenTheLeaseEnds()
    {
        var (ledger, slot) = await CreateAsync();
        var first = await ledger.TryBeginUploadAsync(slot.Id, Now, Lease, Ct);
        Time.Advance(Lease - TimeSpan.FromMilliseconds(1));

        var second = await OpenLedger().TryBeginUploadAsync(slot.Id, Now, Lease, Ct);

        Assert.Equal(new UploadBegin(BeginUploadResult.InProgress, null, first.LeaseUntil), second);
        Assert.Equal(first.Attempt, (await ledger.FindSlotAsync(slot.Id, Ct))!.UploadAttempt);
    }

    [Fact]
    public async Task Begin_OnAnotherNodeOnceTheLeaseLapsed_TakesTheSlotOverUnderANewAttempt()
    {
        var (ledger, slot) = await CreateAsync();
        var first = await ledger.TryBeginUploadAsync(slot.Id, Now, Lease, Ct);
        Time.Advance(Lease);

        var second = await OpenLedger().TryBeginUploadAsync(slot.Id, Now, Lease, Ct);

        Assert.Equal(BeginUploadResult.Started, second.Outcome);
        Assert.True(second.TookOver);
        Assert.NotEqual(first.Attempt, second.Attempt);
        Assert.Equal(Now + Lease, second.LeaseUntil);
        var found = await ledger.FindSlotAsync(slot.Id, Ct);
        Assert.Equal(SlotState.Uploading, found!.State);
        Assert.Equal(second.Attempt, found.UploadAttempt);
    }

    [Fact]
    public async Task Begin_OnALapsedLeaseAfterTheDeadline_IsExpiredAndLeavesTheRowAlone()
    {
        var (ledger, slot) = await CreateAsync();
        Time.SetUtcNow(slot.PutDeadline - TimeSpan.FromSeconds(5));
        var first = await ledger.TryBeginUploadAsync(slot.Id, Now, Lease, Ct);
        Time.Advance(Lease);

        var second = await OpenLedger().TryBeginUploadAsync(slot.Id, Now, Lease, Ct);

        Assert.Equal(UploadBegin.Expired, second);
        Assert.Equal(first.Attempt, (await ledger.FindSlotAsync(slot.Id, Ct))!.UploadAttempt);
    }

    [Fact]
    public async Task Begin_StoredSlot_IsAlreadyStored()
    {
        var (ledger, slot) = await CreateAsync();
        await ledger.StoreUploadAsync(slot.Id, Now, Ct);

        var begin = await ledger.TryBeginUploadAsync(slot.Id, Now, Lease, Ct);

        Assert.Equal(UploadBegin.AlreadyStored, begin);
        Assert.Equal(SlotState.Stored, (await ledger.FindSlotAsync(slot.Id, Ct))!.State);
    }

    [Fact]
    public async Task Begin_UnknownSlot_IsNotFound()
    {
        Assert.Equal(UploadBegin.NotFound, await OpenLedger().TryBeginUploadAsync(SlotIds.New(), Now, Lease, Ct));
    }

    [Fact]
    public async Task Begin_CancelledToken_ThrowsAndChangesNothing()
    {
        var (ledger, slot) = await CreateAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ledger.TryBeginUploadAsync(slot.Id, Now, Lease, cancelled.Token));

        Assert.Equal(SlotState.Pending, (await ledger.FindSlotAsync(slot.Id, Ct))!.State);
    }

    [Fact]
    public async Task Begin_ConcurrentCallersOnSeveralLedgers_ExactlyOneStarts()
    {
        var ledgers = Enumerable.Range(0, 4).Select(_ => OpenLedger()).ToArray();
        var (_, slot) = await CreateAsync(ledgers[0]);
        var now = Now;

        var results = await Task.WhenAll(Enumerable.Range(0, 32)
            .Select(i => Task.Run(() => ledgers[i % ledgers.Length].TryBeginUploadAsync(slot.Id, now, Lease, Ct), Ct)));

        var started = Assert.Single(results, r => r.Outcome == BeginUploadResult.Started);
        Assert.All(results.Where(r => r != started), r => Assert.Equal(new UploadBegin(BeginUploadResult.InProgress, null, now + Lease), r));
        Assert.Equal(started.Attempt, (await ledgers[0].FindSlotAsync(slot.Id, Ct))!.UploadAttempt);
    }

    [Fact]
    public async Task Begin_ConcurrentRetriesOfALapsedUpload_ExactlyOneTakesItOver()
    {
        var ledgers = Enumerable.Range(0, 4).Select(_ => OpenLedger()).ToArray();
        var (_, slot) = await CreateAsync(ledgers[0]);
        await ledgers[0].BeginUploadAsync(slot.Id, Now, Ct);
        Time.Advance(Lease);
        var now = Now;

        var results = await Task.WhenAll(Enumerable.Range(0, 32)
            .Select(i => Task.Run(() => ledgers[i % ledgers.Length].TryBeginUploadAsync(slot.Id, now, Lease, Ct), Ct)));

        var started = Assert.Single(results, r => r.Outcome == BeginUploadResult.Started);
        Assert.True(started.TookOver);
        Assert.All(results.Where(r => r != started), r => Assert.Equal(BeginUploadResult.InProgress, r.Outcome));
    }

    [Fact]
    public async Task Renew_ByTheHolder_MovesTheLeaseSoNoRetryTakesOver()
    {
        var (ledger, slot) = await CreateAsync();
        var attempt = await ledger.BeginUploadAsync(slot.Id, Now, Ct);
        Time.Advance(TimeSpan.FromSeconds(10));

        Assert.True(await ledger.TryRenewUploadAsync(slot.Id, attempt, Now + Lease, Ct));
        var renewedUntil = Now + Lease;
        Time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(new UploadBegin(BeginUploadResult.InProgress, null, renewedUntil), await OpenLedger().TryBeginUploadAsync(slot.Id, Now, Lease, Ct));
        Assert.Equal(renewedUntil, (await ledger.FindSlotAsync(slot.Id, Ct))!.UploadLeaseUntil);
    }

    [Fact]
    public async Task Renew_AfterTheLeaseLapsedWithoutATakeover_StillHolds()
    {
        // The ledger was out of reach for longer than the lease, and no retry came meanwhile: the upload goes on.
        var (ledger, slot) = await CreateAsync();
        var attempt = await ledger.BeginUploadAsync(slot.Id, Now, Ct);
        Time.Advance(Lease * 2);

        Assert.True(await ledger.TryRenewUploadAsync(slot.Id, attempt, Now + Lease, Ct));

        Assert.Equal(BeginUploadResult.InProgress, (await OpenLedger().TryBeginUploadAsync(slot.Id, Now, Lease, Ct)).Outcome);
    }

    [Fact]
    public async Task Renew_ByATakenOverAttempt_IsRefusedAndLeavesTheNewLeaseAlone()
    {
        var (ledger, slot) = await CreateAsync();
        var stale = await ledger.BeginUploadAsync(slot.Id, Now, Ct);
        Time.Advance(Lease);
        var current = await OpenLedger().TryBeginUploadAsync(slot.Id, Now, Lease, Ct);

        Assert.False(await ledger.TryRenewUploadAsync(slot.Id, stale, Now + Lease + Lease, Ct));

        var found = await ledger.FindSlotAsync(slot.Id, Ct);
        Assert.Equal(current.Attempt, found!.UploadAttempt);
        Assert.Equal(current.LeaseUntil, found.UploadLeaseUntil);
    }

    [Fact]
    public async Task Renew_PendingStoredOrUnknownSlot_IsRefusedAndChangesNothing()
    {
        var (ledger, pending) = await CreateAsync();
        var (_, stored) = await CreateAsync(ledger);
        var attempt = await ledger.BeginUploadAsync(stored.Id, Now, Ct);
        Assert.True(await ledger.TryCompleteUploadAsync(stored.Id, attempt, Now, Ct));

        Assert.False(await ledger.TryRenewUploadAsync(pending.Id, attempt, Now + Lease, Ct));
        Assert.False(await ledger.TryRenewUploadAsync(stored.Id, attempt, Now + Lease, Ct));
        Assert.False(await ledger.TryRenewUploadAsync(SlotIds.New(), attempt, Now + Lease, Ct));

        Assert.Null((await ledger.FindSlotAsync(pending.Id, Ct))!.UploadLeaseUntil);
        Assert.Null((await ledger.FindSlotAsync(stored.Id, Ct))!.UploadLeaseUntil);
    }

    [Fact]
    public async Task Complete_ByTheHolder_StoresWithTheCompletionTime()
    {
        var (ledger, slot) = await CreateAsync();
        var attempt = await ledger.BeginUploadAsync(slot.Id, Now, Ct);
        Time.Advance(TimeSpan.FromSeconds(42));

        Assert.True(await ledger.TryCompleteUploadAsync(slot.Id, attempt, Now, Ct));

        var found = await OpenLedger().FindSlotAsync(slot.Id, Ct);
        Assert.Equal(SlotState.Stored, found!.State);
        Assert.Equal(Now, found.StoredAt);
        Assert.True(found.IsServable(Now));
    }

    [Fact]
    public async Task Complete_ByTheHolderAfterItsLeaseLapsedWithoutATakeover_Stores()
    {
        // The completion was retried across a ledger outage longer than the lease, and no retry took over meanwhile.
        var (ledger, slot) = await CreateAsync();
        var attempt = await ledger.BeginUploadAsync(slot.Id, Now, Ct);
        Time.Advance(Lease * 3);

        Assert.True(await ledger.TryCompleteUploadAsync(slot.Id, attempt, Now, Ct));

        Assert.Equal(SlotState.Stored, (await ledger.FindSlotAsync(slot.Id, Ct))!.State);
    }

    [Fact]
    public async Task Complete_ByATakenOverAttempt_IsRefusedAndTheNewAttemptStores()
    {
        var (ledger, slot) = await CreateAsync();
        var stale = await ledger.BeginUploadAsync(slot.Id, Now, Ct);
        Time.Advance(Lease);
        var other = OpenLedger();
        var current = await other.BeginUploadAsync(slot.Id, Now, Ct);

        Assert.False(await ledger.TryCompleteUploadAsync(slot.Id, stale, Now, Ct));
        Assert.Equal(SlotState.Uploading, (await ledger.FindSlotAsync(slot.Id, Ct))!.State);

        Time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await other.TryCompleteUploadAsync(slot.Id, current, Now, Ct));
        Assert.False(await ledger.TryCompleteUploadAsync(slot.Id, stale, Now, Ct));
        var found = await ledger.FindSlotAsync(slot.Id, Ct);
        Assert.Equal(SlotState.Stored, found!.State);
        Assert.Equal(current, found.UploadAttempt);
        Assert.Equal(Now, found.StoredAt);
    }

    [Fact]
    public async Task Complete_AskedAgainByTheAttemptThatStored_IsTrueAndKeepsTheFirstTime()
    {
        // The first answer may be lost with the connection: the PUT asks again and must hear that it is stored.
        var (ledger, slot) = await CreateAsync();
        var attempt = await ledger.BeginUploadAsync(slot.Id, Now, Ct);
        Assert.True(await ledger.TryCompleteUploadAsync(slot.Id, attempt, Now, Ct));
        var storedAt = Now;
        Time.Advance(TimeSpan.FromSeconds(3));

        Assert.True(await OpenLedger().TryCompleteUploadAsync(slot.Id, attempt, Now, Ct));

        Assert.Equal(storedAt, (await ledger.FindSlotAsync(slot.Id, Ct))!.StoredAt);
    }

    [Fact]
    public async Task Complete_PendingOrUnknownSlot_IsRefusedAndChangesNothing()
    {
        var (ledger, slot) = await CreateAsync();

        Assert.False(await ledger.TryCompleteUploadAsync(slot.Id, UploadAttempts.New(), Now, Ct));
        Assert.False(await ledger.TryCompleteUploadAsync(SlotIds.New(), UploadAttempts.New(), Now, Ct));

        var found = await ledger.FindSlotAsync(slot.Id, Ct);
        Assert.Equal(SlotState.Pending, found!.State);
        Assert.Null(found.StoredAt);
    }

    [Fact]
    public async Task Abort_ByTheHolder_ReturnsToPendingAndAllowsAnotherPut()
    {
        var (ledger, slot) = await CreateAsync();
        var attempt = await ledger.BeginUploadAsync(slot.Id, Now, Ct);

        Assert.True(await ledger.TryAbortUploadAsync(slot.Id, attempt, Ct));

        var found = await ledger.FindSlotAsync(slot.Id, Ct);
        Assert.Equal(SlotState.Pending, found!.State);
        Assert.Null(found.UploadAttempt);
        Assert.Null(found.UploadLeaseUntil);
        Assert.False(await ledger.TryCompleteUploadAsync(slot.Id, attempt, Now, Ct));
        Assert.Equal(BeginUploadResult.Started, (await OpenLedger().TryBeginUploadAsync(slot.Id, Now, Lease, Ct)).Outcome);
    }

    [Fact]
    public async Task Abort_ByATakenOverAttempt_IsRefusedAndTheNewAttemptKeepsTheSlot()
    {
        var (ledger, slot) = await CreateAsync();
        var stale = await ledger.BeginUploadAsync(slot.Id, Now, Ct);
        Time.Advance(Lease);
        var current = await OpenLedger().BeginUploadAsync(slot.Id, Now, Ct);

        Assert.False(await ledger.TryAbortUploadAsync(slot.Id, stale, Ct));

        var found = await ledger.FindSlotAsync(slot.Id, Ct);
        Assert.Equal(SlotState.Uploading, found!.State);
        Assert.Equal(current, found.UploadAttempt);
    }

    [Fact]
    public async Task Abort_PendingStoredOrUnknownSlot_IsRefusedAndChangesNothing()
    {
        var (ledger, pending) = await CreateAsync();
        var (_, stored) = await CreateAsync(ledger);
        var attempt = await ledger.BeginUploadAsync(stored.Id, Now, Ct);
        Assert.True(await ledger.TryCompleteUploadAsync(stored.Id, attempt, Now, Ct));

        Assert.False(await ledger.TryAbortUploadAsync(pending.Id, attempt, Ct));
        Assert.False(await ledger.TryAbortUploadAsync(stored.Id, attempt, Ct));
        Assert.False(await ledger.TryAbortUploadAsync(SlotIds.New(), attempt, Ct));

        Assert.Equal(SlotState.Pending, (await ledger.FindSlotAsync(pending.Id, Ct))!.State);
        Assert.Equal(SlotState.Stored, (await ledger.FindSlotAsync(stored.Id, Ct))!.State);
    }

    [Fact]
    public async Task ResetInterruptedUploads_AtRestart_ReturnsTheUploadsToPendingWhateverTheirLeaseAndKeepsStoredFiles()
    {
        var (ledger, pending) = await CreateAsync();
        var (_, uploadingA) = await CreateAsync(ledger);
        var (_, uploadingB) = await CreateAsync(ledger);
        var (_, stored) = await CreateAsync(ledger);
        var attemptA = await ledger.BeginUploadAsync(uploadingA.Id, Now, Ct);
        await ledger.BeginUploadAsync(uploadingB.Id, Now, Ct);
        await ledger.StoreUploadAsync(stored.Id, Now, Ct);

        var restarted = OpenLedger();
        var reset = await restarted.ResetInterruptedUploadsAsync(Ct);

        Assert.Equal(2, reset);
        Assert.Equal(SlotState.Pending, (await restarted.FindSlotAsync(pending.Id, Ct))!.State);
        Assert.Equal(SlotState.Pending, (await restarted.FindSlotAsync(uploadingA.Id, Ct))!.State);
        Assert.Equal(SlotState.Pending, (await restarted.FindSlotAsync(uploadingB.Id, Ct))!.State);
        var storedNow = await restarted.FindSlotAsync(stored.Id, Ct);
        Assert.Equal(SlotState.Stored, storedNow!.State);
        Assert.Equal(Now, storedNow.StoredAt);
        Assert.False(await restarted.TryCompleteUploadAsync(uploadingA.Id, attemptA, Now, Ct));
        Assert.Equal(BeginUploadResult.Started, (await restarted.TryBeginUploadAsync(uploadingA.Id, Now, Lease, Ct)).Outcome);
    }

    [Fact]
    public async Task RemoveLapsedReservations_ReleasesAbandonedUploads_AndLeavesLiveOrRetryableOnes()
    {
        var ledger = OpenLedger();
        var abandoned = TestSlots.New(Now);
        var renewed = TestSlots.New(Now);
        await ledger.CreateSlotAsync(abandoned, Ct);
        await ledger.CreateSlotAsync(renewed, Ct);
        await ledger.BeginUploadAsync(abandoned.Id, Now, Ct);
        var renewedAttempt = await ledger.BeginUploadAsync(renewed.Id, Now, Ct);
        Time.Advance(TimeSpan.FromSeconds(100));
        // Its lease lapsed, but before its deadline: a retry may still take it over.
        var retryable = TestSlots.New(Now);
        await ledger.CreateSlotAsync(retryable, Ct);
        await ledger.BeginUploadAsync(retryable.Id, Now, Ct);
        Time.SetUtcNow(abandoned.PutDeadline - TimeSpan.FromSeconds(5));
        // Still streaming past the deadline, renewing as it goes.
        Assert.True(await ledger.TryRenewUploadAsync(renewed.Id, renewedAttempt, Now + Lease, Ct));
        Time.SetUtcNow(abandoned.PutDeadline);

        Assert.Equal(1, await ledger.RemoveLapsedReservationsAsync(Now, 10, Ct));
        Assert.Equal(0, await ledger.RemoveLapsedReservationsAsync(Now, 10, Ct));

        Assert.Equal(SlotState.Deleted, (await ledger.FindSlotAsync(abandoned.Id, Ct))!.State);
        Assert.Equal(SlotState.Uploading, (await ledger.FindSlotAsync(renewed.Id, Ct))!.State);
        Assert.Equal(SlotState.Uploading, (await ledger.FindSlotAsync(retryable.Id, Ct))!.State);
        Assert.Contains(abandoned.Id, await ledger.ClaimDeletedAsync(10, Ct));
        Assert.True(await ledger.TryCompleteUploadAsync(renewed.Id, renewedAttempt, Now, Ct));
        Assert.Equal(BeginUploadResult.Started, (await OpenLedger().TryBeginUploadAsync(retryable.Id, Now, Lease, Ct)).Outcome);
    }

    [Fact]
    public async Task StoredTotals_CountOnlyStoredSlots_ByPurpose()
    {
        var ledger = OpenLedger();
        foreach (var (size, purpose) in new[] { (1500L, Purpose.Message), (2500L, Purpose.Message), (700L, Purpose.Profile) })
        {
            var slot = TestSlots.New(Now, size: size, purpose: purpose);
            await ledger.CreateSlotAsync(slot, Ct);
            Assert.True(await ledger.TryCompleteUploadAsync(slot.Id, await ledger.BeginUploadAsync(slot.Id, Now, Ct), Now, Ct));
        }

        // A reservation and an upload under way hold no stored bytes yet.
        var (_, pending) = await CreateAsync(ledger);
        var (_, uploading) = await CreateAsync(ledger);
        await ledger.BeginUploadAsync(uploading.Id, Now, Ct);

        var totals = await ((IStorageTotals)OpenLedger()).GetStoredTotalsAsync(Ct);

        Assert.Equal(
            [new BucketTotal(Purpose.Message, 2, 4000), new BucketTotal(Purpose.Profile, 1, 700)],
            totals.OrderBy(t => t.Purpose));
        Assert.Equal(SlotState.Pending, (await ledger.FindSlotAsync(pending.Id, Ct))!.State);
    }

    private async Task<(TLedger Ledger, Slot Slot)> CreateAsync(TLedger? ledger = default)
    {
        ledger ??= OpenLedger();
        var slot = TestSlots.New(Now);
        await ledger.CreateSlotAsync(slot, Ct);
        return (ledger, slot);
    }
}
