using System.Globalization;
using XmppUpload.Core.Accounts;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Testing;
using static XmppUpload.Storage.Tests.LedgerTestKit;
using static XmppUpload.Storage.Tests.TestSlots;

namespace XmppUpload.Storage.Tests;

/// <summary>
/// The account rules every ledger keeps, run against each one by a subclass: a slot request is granted only within its
/// bucket's quota, the global quota and the request rate window, and is refused with when to retry; EvictOldest deletes
/// the oldest files in the same transaction; expired files and lapsed reservations stop counting without a sweeper;
/// usage, the file list and deletions by the owner see only what is served.
/// </summary>
public abstract class AccountLedgerContract<TLedger> : LedgerContract<TLedger>
    where TLedger : ILedger, IAccountLedger, ISweepLedger
{
    [Fact]
    public async Task Reserve_WithinQuota_GrantsAndRecordsThePendingSlot()
    {
        var ledger = OpenLedger();
        var slot = Kit.NewSlot();

        var decision = await ledger.ReserveSlotAsync(slot, Limits(10 * Size), Now, Ct);

        Assert.True(decision.IsGranted);
        Assert.Empty(decision.Evict);
        var found = await OpenLedger().FindSlotAsync(slot.Id, Ct);
        Assert.Equal(SlotState.Pending, found!.State);
        Assert.Equal(slot.PutDeadline, found.PutDeadline);
        Assert.Equal(new BucketUsage(Purpose.Message, 0, 0, Size), Assert.Single(await ledger.GetUsageAsync(Juliet, Now, Ct)));
    }

    [Fact]
    public async Task Reserve_UpToExactlyTheQuota_IsGrantedAndOneByteMoreIsNot()
    {
        var ledger = OpenLedger();
        var limits = Limits(3 * Size);
        await Kit.StoreAsync(ledger, limits);
        await Kit.BeginAsync(ledger, limits);
        await Kit.ReserveAsync(ledger, limits);

        var refused = Kit.NewSlot(size: 1);
        var decision = await ledger.ReserveSlotAsync(refused, limits, Now, Ct);

        Assert.False(decision.IsGranted);
        Assert.Null(await ledger.FindSlotAsync(refused.Id, Ct));
        Assert.Equal(3 * Size, await Kit.UsedAsync(ledger));
    }

    [Fact]
    public async Task Reserve_OverQuotaWithReject_RefusesWithRetryAtTheEarliestExpiry()
    {
        var ledger = OpenLedger();
        var limits = Limits(2 * Size);
        await Kit.StoreAsync(ledger, limits, retention: TimeSpan.FromSeconds(60));
        await Kit.ReserveAsync(ledger, limits); // lapses at +300 s, later than the expiry

        var decision = await ledger.ReserveSlotAsync(Kit.NewSlot(), limits, Now, Ct);

        Assert.False(decision.IsGranted);
        Assert.Equal(SlotRefusal.ResourceConstraint, decision.Refusal);
        Assert.Equal(Now.AddSeconds(60), decision.RetryAt);
        Assert.Empty(decision.Evict);
    }

    [Fact]
    public async Task Reserve_OverQuotaWithReject_RetryAtTheEarliestLapseOfAPendingReservation()
    {
        var ledger = OpenLedger();
        var limits = Limits(3 * Size);
        await Kit.StoreAsync(ledger, limits); // kept until deleted
        await Kit.BeginAsync(ledger, limits); // an upload in progress does not lapse
        Time.Advance(TimeSpan.FromSeconds(10));
        var pending = await Kit.ReserveAsync(ledger, limits);
        Time.Advance(TimeSpan.FromSeconds(10));

        var decision = await ledger.ReserveSlotAsync(Kit.NewSlot(), limits, Now, Ct);

        Assert.Equal(SlotRefusal.ResourceConstraint, decision.Refusal);
        Assert.Equal(pending.PutDeadline, decision.RetryAt);
    }

    [Fact]
    public async Task Reserve_OverQuotaWithNothingThatFrees_IsQuotaFullWithoutRetry()
    {
        var ledger = OpenLedger();
        var limits = Limits(2 * Size, purpose: Purpose.Permanent);
        await Kit.StoreAsync(ledger, limits);
        await Kit.BeginAsync(ledger, limits);

        var decision = await ledger.ReserveSlotAsync(Kit.NewSlot(purpose: Purpose.Permanent), limits, Now, Ct);

        Assert.Equal(SlotRefusal.QuotaFull, decision.Refusal);
        Assert.Null(decision.RetryAt);
    }

    [Fact]
    public async Task Reserve_OverQuotaWithEvictOldest_DeletesTheOldestFilesInTheSameTransaction()
    {
        var ledger = OpenLedger();
        var limits = Limits(3 * Size, OverQuotaRule.EvictOldest);
        var oldest = await Kit.StoreAsync(ledger, limits);
        Time.Advance(TimeSpan.FromMinutes(1));
        var middle = await Kit.StoreAsync(ledger, limits);
        Time.Advance(TimeSpan.FromMinutes(1));
        var newest = await Kit.StoreAsync(ledger, limits);
        var romeos = await Kit.StoreAsync(ledger, limits, owner: Romeo);
        var profile = await Kit.StoreAsync(ledger, Limits(3 * Size, OverQuotaRule.EvictOldest, Purpose.Profile));
        Time.Advance(TimeSpan.FromMinutes(1));

        var big = Kit.NewSlot(size: 2 * Size);
        var decision = await ledger.ReserveSlotAsync(big, limits, Now, Ct);

        Assert.True(decision.IsGranted);
        Assert.Equal(new[] { oldest.Id, middle.Id }, decision.Evict);
        var reader = OpenLedger();
        Assert.Equal(SlotState.Deleted, await StateAsync(reader, oldest.Id));
        Assert.Equal(SlotState.Deleted, await StateAsync(reader, middle.Id));
        Assert.Equal(SlotState.Stored, await StateAsync(reader, newest.Id));
        Assert.Equal(SlotState.Stored, await StateAsync(reader, romeos.Id));
        Assert.Equal(SlotState.Stored, await StateAsync(reader, profile.Id));
        Assert.Equal(SlotState.Pending, await StateAsync(reader, big.Id));
        Assert.False((await reader.FindSlotAsync(oldest.Id, Ct))!.IsServable(Now));
        Assert.Equal(
            new[] { newest.Id, profile.Id }.Order(),
            (await reader.ListFilesAsync(Juliet, Now, Ct)).Select(s => s.Id).Order());
        Assert.Equal(3 * Size, await Kit.UsedAsync(reader));
    }

    [Fact]
    public async Task Reserve_EvictOldestWhenOnlyReservationsFillTheQuota_IsRefusedAndEvictsNothing()
    {
        var ledger = OpenLedger();
        var limits = Limits(2 * Size, OverQuotaRule.EvictOldest);
        var stored = await Kit.StoreAsync(ledger, limits);
        var pending = await Kit.ReserveAsync(ledger, limits);

        var decision = await ledger.ReserveSlotAsync(Kit.NewSlot(size: 2 * Size), limits, Now, Ct);

        Assert.False(decision.IsGranted);
        Assert.Equal(pending.PutDeadline, decision.RetryAt);
        Assert.Equal(SlotState.Stored, await StateAsync(ledger, stored.Id));
    }

    [Fact]
    public async Task Reserve_EvictOldestWithAFileLargerThanTheQuota_IsRefusedAndEvictsNothing()
    {
        var ledger = OpenLedger();
        var limits = Limits(2 * Size, OverQuotaRule.EvictOldest);
        var stored = await Kit.StoreAsync(ledger, limits);

        var decision = await ledger.ReserveSlotAsync(Kit.NewSlot(size: (2 * Size) + 1), limits, Now, Ct);

        Assert.Equal(SlotRefusal.QuotaFull, decision.Refusal);
        Assert.Equal(SlotState.Stored, await StateAsync(ledger, stored.Id));
    }

    [Fact]
    public async Task Reserve_ExpiredFilesAndLapsedReservations_NoLongerCountWithoutASweeper()
    {
        var ledger = OpenLedger();
        var limits = Limits(Size);
        var expiring = await Kit.StoreAsync(ledger, limits, retention: TimeSpan.FromSeconds(100));

        Time.SetUtcNow(expiring.ExpiresAt!.Value.AddMilliseconds(-1));
        Assert.False((await ledger.ReserveSlotAsync(Kit.NewSlot(), limits, Now, Ct)).IsGranted);
        Time.SetUtcNow(expiring.ExpiresAt.Value);
        var pending = Kit.NewSlot();
        Assert.True((await ledger.ReserveSlotAsync(pending, limits, Now, Ct)).IsGranted);

        Time.SetUtcNow(pending.PutDeadline.AddMilliseconds(-1));
        Assert.False((await ledger.ReserveSlotAsync(Kit.NewSlot(), limits, Now, Ct)).IsGranted);
        Assert.Equal(Size, await Kit.UsedAsync(ledger));
        Time.SetUtcNow(pending.PutDeadline);
        Assert.Equal(0, await Kit.UsedAsync(ledger));
        Assert.True((await ledger.ReserveSlotAsync(Kit.NewSlot(), limits, Now, Ct)).IsGranted);

        // Not swept: the rows are still there, in the states they had.
        Assert.Equal(SlotState.Stored, await StateAsync(ledger, expiring.Id));
        Assert.Equal(SlotState.Pending, await StateAsync(ledger, pending.Id));
    }

    [Fact]
    public async Task Reserve_UploadPastItsDeadline_KeepsItsReservation()
    {
        var ledger = OpenLedger();
        var limits = Limits(Size);
        var uploading = await Kit.BeginAsync(ledger, limits);
        Time.SetUtcNow(uploading.PutDeadline.AddMinutes(10));

        var decision = await ledger.ReserveSlotAsync(Kit.NewSlot(), limits, Now, Ct);

        Assert.Equal(SlotRefusal.QuotaFull, decision.Refusal);
        Assert.Equal(Size, await Kit.UsedAsync(ledger));
    }

    [Fact]
    public async Task Complete_TurnsTheReservationIntoStoredBytes()
    {
        var ledger = OpenLedger();
        var limits = Limits(10 * Size);
        var slot = await Kit.BeginAsync(ledger, limits, size: 3 * Size);
        Assert.Equal(new BucketUsage(Purpose.Message, 0, 0, 3 * Size), Assert.Single(await ledger.GetUsageAsync(Juliet, Now, Ct)));

        Time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await ledger.TryCompleteUploadAsync(slot.Id, slot.UploadAttempt!, Now, Ct));

        Assert.Equal(new BucketUsage(Purpose.Message, 3 * Size, 1, 0), Assert.Single(await ledger.GetUsageAsync(Juliet, Now, Ct)));
        Time.SetUtcNow(slot.PutDeadline.AddSeconds(1));
        Assert.Equal(3 * Size, await Kit.UsedAsync(ledger));
    }

    [Fact]
    public async Task Reserve_RateWindow_CountsRequestsOfDeletedFilesAndSlides()
    {
        var ledger = OpenLedger();
        var window = TimeSpan.FromMinutes(5);
        var limits = Limits(100 * Size, requests: 3, window: window);
        var start = Now;
        var first = await Kit.StoreAsync(ledger, limits);
        Time.Advance(TimeSpan.FromMinutes(1));
        var second = await Kit.StoreAsync(ledger, limits);
        Time.Advance(TimeSpan.FromMinutes(1));
        await Kit.ReserveAsync(ledger, Limits(100 * Size, purpose: Purpose.Profile, requests: 3, window: window));

        // Deleting files, and sweeping their rows away, gives back no budget.
        Assert.True(await ledger.DeleteFileAsync(Juliet, first.Id, Ct));
        Assert.True(await ledger.DeleteFileAsync(Juliet, second.Id, Ct));
        await ledger.RemoveDeletedAsync([first.Id, second.Id], Ct);

        var refused = await ledger.ReserveSlotAsync(Kit.NewSlot(), limits, Now, Ct);
        Assert.Equal(SlotRefusal.RateLimited, refused.Refusal);
        Assert.Equal(start + window, refused.RetryAt);
        Assert.True((await ledger.ReserveSlotAsync(Kit.NewSlot(owner: Romeo), limits, Now, Ct)).IsGranted);

        Time.SetUtcNow(start + window - TimeSpan.FromMilliseconds(1));
        Assert.False((await ledger.ReserveSlotAsync(Kit.NewSlot(), limits, Now, Ct)).IsGranted);

        Time.SetUtcNow(start + window);
        Assert.True((await ledger.ReserveSlotAsync(Kit.NewSlot(), limits, Now, Ct)).IsGranted);

        // The window slides: the next request waits for the second-oldest to leave it.
        var next = await ledger.ReserveSlotAsync(Kit.NewSlot(), limits, Now, Ct);
        Assert.Equal(start + TimeSpan.FromMinutes(1) + window, next.RetryAt);
    }

    [Fact]
    public async Task Reserve_RefusedRequests_DoNotUseTheRateWindow()
    {
        var ledger = OpenLedger();
        var limits = Limits(Size, requests: 2);
        await Kit.StoreAsync(ledger, limits);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(SlotRefusal.QuotaFull, (await ledger.ReserveSlotAsync(Kit.NewSlot(), limits, Now, Ct)).Refusal);
        }

        Assert.True((await ledger.ReserveSlotAsync(Kit.NewSlot(), Limits(10 * Size, requests: 2), Now, Ct)).IsGranted);
    }

    [Fact]
    public async Task Reserve_GlobalQuota_CountsEveryAccountsStoredAndReservedBytes()
    {
        var ledger = OpenLedger();
        var limits = Limits(100 * Size, globalQuota: 4 * Size);
        await Kit.StoreAsync(ledger, limits, owner: Romeo, size: 2 * Size);
        var romeosPending = await Kit.ReserveAsync(ledger, Limits(100 * Size, purpose: Purpose.Profile), owner: Romeo);
        await Kit.StoreAsync(ledger, limits, owner: Romeo, retention: TimeSpan.FromSeconds(30));

        var refused = await ledger.ReserveSlotAsync(Kit.NewSlot(size: 2 * Size), limits, Now, Ct);
        Assert.Equal(SlotRefusal.QuotaFull, refused.Refusal);

        Time.Advance(TimeSpan.FromSeconds(30)); // Romeo's second file expires.
        Assert.True((await ledger.ReserveSlotAsync(Kit.NewSlot(), limits, Now, Ct)).IsGranted);
        Assert.False((await ledger.ReserveSlotAsync(Kit.NewSlot(), limits, Now, Ct)).IsGranted);

        Time.SetUtcNow(romeosPending.PutDeadline);
        Assert.True((await ledger.ReserveSlotAsync(Kit.NewSlot(), limits, Now, Ct)).IsGranted);
    }

    [Fact]
    public async Task Reserve_LimitsOfAnotherBucket_AreABug()
    {
        var ledger = OpenLedger();

        await Assert.ThrowsAsync<ArgumentException>(
            () => ledger.ReserveSlotAsync(Kit.NewSlot(purpose: Purpose.Profile), Limits(Size), Now, Ct));
    }

    [Fact]
    public async Task GetUsage_ReportsEachBucketWithAnythingAndNothingExpiredLapsedOrDeleted()
    {
        var ledger = OpenLedger();
        await Kit.StoreAsync(ledger, Limits(100 * Size, purpose: Purpose.Profile), size: 3 * Size, retention: TimeSpan.FromMinutes(10));
        await Kit.ReserveAsync(ledger, Limits(100 * Size, purpose: Purpose.Ephemeral));
        await Kit.StoreAsync(ledger, Limits(100 * Size, purpose: Purpose.Permanent), owner: Romeo);
        var deleted = await Kit.StoreAsync(ledger, Limits(100 * Size, purpose: Purpose.Permanent));
        Assert.True(await ledger.DeleteFileAsync(Juliet, deleted.Id, Ct));
        Time.Advance(TimeSpan.FromMinutes(5)); // the ephemeral reservation lapses
        await Kit.StoreAsync(ledger, Limits(100 * Size));
        await Kit.StoreAsync(ledger, Limits(100 * Size));
        await Kit.ReserveAsync(ledger, Limits(100 * Size), size: 2 * Size);

        Assert.Equal(
            [
                new BucketUsage(Purpose.Message, 2 * Size, 2, 2 * Size),
                new BucketUsage(Purpose.Profile, 3 * Size, 1, 0),
            ],
            await ledger.GetUsageAsync(Juliet, Now, Ct));

        Time.Advance(TimeSpan.FromMinutes(5)); // the profile file expires, the message reservation lapses
        Assert.Equal([new BucketUsage(Purpose.Message, 2 * Size, 2, 0)], await ledger.GetUsageAsync(Juliet, Now, Ct));
        Assert.Empty(await ledger.GetUsageAsync("nobody@example.org", Now, Ct));
    }

    [Fact]
    public async Task ListFiles_ServedFilesOfTheOwnerOnly_NewestFirstWithEveryField()
    {
        var ledger = OpenLedger();
        var limits = Limits(100 * Size);
        var older = await Kit.StoreAsync(ledger, limits);
        Time.Advance(TimeSpan.FromMinutes(1));
        var ephemeral = TestSlots.New(Now, "note.txt", "text/plain", Purpose.Ephemeral, Now.AddHours(1), size: 42);
        Assert.True((await ledger.ReserveSlotAsync(ephemeral, Limits(100 * Size, purpose: Purpose.Ephemeral), Now, Ct)).IsGranted);
        var attempt = await ledger.BeginUploadAsync(ephemeral.Id, Now, Ct);
        Time.Advance(TimeSpan.FromSeconds(7));
        Assert.True(await ledger.TryCompleteUploadAsync(ephemeral.Id, attempt, Now, Ct));
        await Kit.ReserveAsync(ledger, limits);
        await Kit.BeginAsync(ledger, limits);
        var deleted = await Kit.StoreAsync(ledger, limits);
        await ledger.DeleteFileAsync(Juliet, deleted.Id, Ct);
        await Kit.StoreAsync(ledger, limits, retention: TimeSpan.FromSeconds(1));
        await Kit.StoreAsync(ledger, limits, owner: Romeo);
        Time.Advance(TimeSpan.FromSeconds(1));

        var files = await OpenLedger().ListFilesAsync(Juliet, Now, Ct);

        Assert.Equal(new[] { ephemeral.Id, older.Id }, files.Select(f => f.Id));
        var file = files[0];
        Assert.Equal(Juliet, file.Owner);
        Assert.Equal("note.txt", file.FileName);
        Assert.Equal(42, file.Size);
        Assert.Equal("text/plain", file.ContentType);
        Assert.Equal(Purpose.Ephemeral, file.Purpose);
        Assert.Equal(ephemeral.CreatedAt, file.CreatedAt);
        Assert.Equal(ephemeral.PutDeadline, file.PutDeadline);
        Assert.Equal(ephemeral.ExpiresAt, file.ExpiresAt);
        Assert.Equal(SlotState.Stored, file.State);
        Assert.Equal(ephemeral.CreatedAt.AddSeconds(7), file.StoredAt);
        Assert.Empty(await ledger.ListFilesAsync("nobody@example.org", Now, Ct));
    }

    [Fact]
    public async Task DeleteFile_OfAnotherOwnerUnknownOrNotStored_ReturnsFalseAndChangesNothing()
    {
        var ledger = OpenLedger();
        var limits = Limits(100 * Size);
        var julietsFile = await Kit.StoreAsync(ledger, limits);
        var pending = await Kit.ReserveAsync(ledger, limits);

        Assert.False(await ledger.DeleteFileAsync(Romeo, julietsFile.Id, Ct));
        Assert.False(await ledger.DeleteFileAsync(Juliet, SlotIds.New(), Ct));
        Assert.False(await ledger.DeleteFileAsync(Juliet, pending.Id, Ct));

        Assert.Equal(SlotState.Stored, await StateAsync(ledger, julietsFile.Id));
        Assert.Equal(SlotState.Pending, await StateAsync(ledger, pending.Id));
    }

    [Fact]
    public async Task DeleteFile_OwnFile_IsNoLongerServedNorCountedAndASecondDeleteIsFalse()
    {
        var ledger = OpenLedger();
        var limits = Limits(100 * Size);
        var file = await Kit.StoreAsync(ledger, limits);
        var kept = await Kit.StoreAsync(ledger, limits);

        Assert.True(await ledger.DeleteFileAsync(Juliet, file.Id, Ct));

        var found = await OpenLedger().FindSlotAsync(file.Id, Ct);
        Assert.Equal(SlotState.Deleted, found!.State);
        Assert.False(found.IsServable(Now));
        Assert.Equal([kept.Id], (await ledger.ListFilesAsync(Juliet, Now, Ct)).Select(f => f.Id));
        Assert.Equal(Size, await Kit.UsedAsync(ledger));
        Assert.False(await ledger.DeleteFileAsync(Juliet, file.Id, Ct));
    }

    [Fact]
    public async Task DeleteAccount_MarksEverySlotOfTheOwnerDeletedAndForgetsItsRequests()
    {
        var ledger = OpenLedger();
        var limits = Limits(100 * Size, requests: 5);
        var stored = await Kit.StoreAsync(ledger, limits);
        var pending = await Kit.ReserveAsync(ledger, limits);
        var uploading = await Kit.BeginAsync(ledger, limits);
        var deleted = await Kit.StoreAsync(ledger, limits);
        await ledger.DeleteFileAsync(Juliet, deleted.Id, Ct);
        var romeos = await Kit.StoreAsync(ledger, limits, owner: Romeo);

        var ids = await ledger.DeleteAccountAsync(Juliet, Ct);

        Assert.Equal(new[] { stored.Id, pending.Id, uploading.Id, deleted.Id }.Order(), ids.Order());
        foreach (var id in ids)
        {
            Assert.Equal(SlotState.Deleted, await StateAsync(ledger, id));
        }

        Assert.Equal(SlotState.Stored, await StateAsync(ledger, romeos.Id));
        Assert.Empty(await ledger.GetUsageAsync(Juliet, Now, Ct));
        Assert.Empty(await ledger.ListFilesAsync(Juliet, Now, Ct));
        Assert.Equal(0L, Fixture.Scalar($"SELECT COUNT(*) FROM slot_requests WHERE owner = '{Juliet}'"));
        Assert.Equal(1L, Fixture.Scalar($"SELECT COUNT(*) FROM slot_requests WHERE owner = '{Romeo}'"));

        // An upload that was streaming during the purge cannot bring its slot back.
        Assert.False(await ledger.TryCompleteUploadAsync(uploading.Id, uploading.UploadAttempt!, Now, Ct));
        Assert.Equal(BeginUploadResult.Expired, (await ledger.TryBeginUploadAsync(pending.Id, Now, LedgerUploads.Lease, Ct)).Outcome);
        Assert.Empty(await ledger.DeleteAccountAsync("nobody@example.org", Ct));
    }

    // Both ledgers keep bucket_totals by triggers; this recomputes them from the rows. Buckets whose rows are all
    // deleted, or all empty files, have no totals row (it reads as zero).
    private const string TotalsFromRows =
        "SELECT owner, purpose, CAST(SUM(CASE WHEN state = 'stored' THEN size ELSE 0 END) AS BIGINT), "
        + "CAST(SUM(CASE WHEN state = 'pending' THEN size ELSE 0 END) AS BIGINT), "
        + "CAST(SUM(CASE WHEN state = 'uploading' THEN size ELSE 0 END) AS BIGINT) "
        + "FROM slots WHERE state <> 'deleted' GROUP BY owner, purpose HAVING SUM(size) > 0";

    private const string TotalsKept = "SELECT owner, purpose, stored_bytes, pending_bytes, uploading_bytes FROM bucket_totals";

    private const string TotalsMismatches =
        "SELECT (SELECT COUNT(*) FROM (" + TotalsFromRows + " EXCEPT " + TotalsKept + ") AS missing) + "
        + "(SELECT COUNT(*) FROM (" + TotalsKept + " EXCEPT " + TotalsFromRows + ") AS extra)";

    [Fact]
    public async Task BucketTotals_FollowEveryChangeOfASlotWhicheverPathMadeIt()
    {
        var ledger = OpenLedger();
        var limits = Limits(4 * Size, OverQuotaRule.EvictOldest);
        var profile = Limits(10 * Size, purpose: Purpose.Profile);
        var steps = new List<(string Step, long Mismatches, long Rows)>();
        void Check(string step) => steps.Add((step, Convert.ToInt64(Fixture.Scalar(TotalsMismatches), CultureInfo.InvariantCulture), Convert.ToInt64(Fixture.Scalar("SELECT COUNT(*) FROM bucket_totals"), CultureInfo.InvariantCulture)));

        var expiring = await Kit.StoreAsync(ledger, limits, retention: TimeSpan.FromSeconds(30));
        Check("stored");
        var aborted = await Kit.BeginAsync(ledger, limits, size: 2 * Size);
        Check("uploading");
        Assert.True(await ledger.TryAbortUploadAsync(aborted.Id, aborted.UploadAttempt!, Ct));
        Check("aborted");
        await Kit.StoreAsync(ledger, profile, size: 3 * Size);
        await Kit.StoreAsync(ledger, limits, owner: Romeo);
        await ledger.CreateSlotAsync(TestSlots.New(Now, owner: Romeo, size: 0), Ct);
        Check("another bucket, another owner, an empty file");
        var evicting = Kit.NewSlot(size: 2 * Size);
        var decision = await ledger.ReserveSlotAsync(evicting, limits, Now, Ct);
        Assert.Equal([expiring.Id], decision.Evict);
        Check("evicted");
        var deleted = await Kit.StoreAsync(ledger, profile);
        Assert.True(await ledger.DeleteFileAsync(Juliet, deleted.Id, Ct));
        Check("deleted by its owner");
        var abandoned = await Kit.BeginAsync(ledger, profile);
        Time.SetUtcNow(abandoned.PutDeadline.AddMinutes(10));
        Assert.Equal(4, await ledger.RemoveLapsedReservationsAsync(Now, 100, Ct));
        Check("lapsed and abandoned");
        await Kit.StoreAsync(ledger, limits, owner: Romeo, retention: TimeSpan.FromSeconds(1));
        Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await ledger.ExpireStoredAsync(Now, 100, Ct));
        Check("expired");
        await ledger.DeleteAccountAsync(Juliet, Ct);
        Check("account purged");
        await ledger.RemoveDeletedAsync(await ledger.ClaimDeletedAsync(100, Ct), Ct);
        Check("deleted rows removed");

        Assert.All(steps, step => Assert.True(step.Mismatches == 0, $"After '{step.Step}' the running totals differ from the rows."));
        Assert.Equal([1L, 1L, 1L, 3L, 3L, 3L, 2L, 2L, 1L, 1L], steps.Select(step => step.Rows));
        Assert.Equal(0L, Convert.ToInt64(Fixture.Scalar($"SELECT COUNT(*) FROM bucket_totals WHERE owner = '{Juliet}'"), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Reserve_CountsOnlyServedFilesAndOpenReservationsOfTheBucketFromItsRunningTotals()
    {
        var ledger = OpenLedger();
        var limits = Limits(6 * Size);
        await Kit.StoreAsync(ledger, limits, retention: TimeSpan.FromSeconds(30));
        await Kit.ReserveAsync(ledger, limits, size: 2 * Size);
        await Kit.BeginAsync(ledger, limits);
        await Kit.StoreAsync(ledger, Limits(100 * Size, purpose: Purpose.Profile), size: 50 * Size);
        await Kit.StoreAsync(ledger, limits, owner: Romeo, size: 6 * Size);

        // 1 stored + 2 pending + 1 uploading of 6: two more fit, three do not.
        Assert.False((await ledger.ReserveSlotAsync(Kit.NewSlot(size: 3 * Size), limits, Now, Ct)).IsGranted);
        Time.Advance(TimeSpan.FromSeconds(30));

        // The stored file has expired and is not swept: 3 of 6 used.
        Assert.True((await ledger.ReserveSlotAsync(Kit.NewSlot(size: 3 * Size), limits, Now, Ct)).IsGranted);
        Assert.False((await ledger.ReserveSlotAsync(Kit.NewSlot(size: 1), limits, Now, Ct)).IsGranted);
    }
}
