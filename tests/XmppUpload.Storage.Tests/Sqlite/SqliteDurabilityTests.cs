using XmppUpload.Core.Accounts;
using XmppUpload.Core.Slots;
using XmppUpload.Testing;
using XmppUpload.Storage.Sqlite;

namespace XmppUpload.Storage.Tests.Sqlite;

/// <summary>
/// Which commits wait for the disk. The completion of an upload is what a 201 promises, so it syncs the WAL
/// (synchronous FULL); beginning, renewing and aborting one do not (NORMAL), because the node's restart resets every
/// upload in progress to pending anyway, and neither does a slot grant, which a power cut may only take back before
/// its upload completes. Every write runs on one connection, which
/// carries its pragma from one write to the next, so the checks below follow it through writes of both kinds.
/// </summary>
public sealed class SqliteDurabilityTests
{
    private const long Normal = 1;
    private const long Full = 2;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UploadWrites_SyncTheWalOnlyForTheCompletion_EvenOnAWriterLastUsedWithoutSync()
    {
        using var fixture = new LedgerFixture();
        var ledger = fixture.Open();
        var now = DateTimeOffset.UtcNow;
        var slot = TestSlots.New(now);
        await ledger.CreateSlotAsync(slot, Token);
        Assert.Equal(Full, await ledger.ReadWriterSynchronousAsync(Token));

        var begin = await ledger.TryBeginUploadAsync(slot.Id, now, TimeSpan.FromSeconds(15), Token);
        Assert.Equal(BeginUploadResult.Started, begin.Outcome);
        Assert.Equal(Normal, await ledger.ReadWriterSynchronousAsync(Token));

        Assert.True(await ledger.TryRenewUploadAsync(slot.Id, begin.Attempt!, now.AddSeconds(20), Token));
        Assert.Equal(Normal, await ledger.ReadWriterSynchronousAsync(Token));

        Assert.True(await ledger.TryCompleteUploadAsync(slot.Id, begin.Attempt!, now.AddSeconds(1), Token));
        Assert.Equal(Full, await ledger.ReadWriterSynchronousAsync(Token));
        Assert.Equal(SlotState.Stored, (await ledger.FindSlotAsync(slot.Id, Token))!.State);
    }

    [Fact]
    public async Task AbortedUpload_CommitsWithoutSync_AndTheNextSlotIsCreatedWithSync()
    {
        using var fixture = new LedgerFixture();
        var ledger = fixture.Open();
        var now = DateTimeOffset.UtcNow;
        var slot = TestSlots.New(now);
        await ledger.CreateSlotAsync(slot, Token);
        var begin = await ledger.TryBeginUploadAsync(slot.Id, now, TimeSpan.FromSeconds(15), Token);

        Assert.True(await ledger.TryAbortUploadAsync(slot.Id, begin.Attempt!, Token));
        Assert.Equal(Normal, await ledger.ReadWriterSynchronousAsync(Token));

        await ledger.CreateSlotAsync(TestSlots.New(now), Token);
        Assert.Equal(Full, await ledger.ReadWriterSynchronousAsync(Token));
        Assert.Equal(SlotState.Pending, (await ledger.FindSlotAsync(slot.Id, Token))!.State);
    }

    [Fact]
    public async Task SlotGrant_CommitsWithoutSync_AndTheClaimOfWhatItEvictedSyncsBeforeAnyBlobGoes()
    {
        using var fixture = new LedgerFixture();
        var ledger = fixture.Open();
        var now = DateTimeOffset.UtcNow;
        var limits = new AccountLimits(
            new BucketPolicy(Purpose.Message, true, 1000, TimeSpan.FromDays(30), 1000, OverQuotaRule.EvictOldest),
            100,
            TimeSpan.FromMinutes(5),
            null);
        var old = TestSlots.New(now, size: 1000);
        Assert.True((await ledger.ReserveSlotAsync(old, limits, now, Token)).IsGranted);
        Assert.Equal(Normal, await ledger.ReadWriterSynchronousAsync(Token));
        await ledger.StoreUploadAsync(old.Id, now, Token);

        var evicting = TestSlots.New(now, size: 1000);
        var decision = await ledger.ReserveSlotAsync(evicting, limits, now, Token);
        Assert.Equal([old.Id], decision.Evict);
        Assert.Equal(Normal, await ledger.ReadWriterSynchronousAsync(Token));

        // The claim writes the rows it takes, so its commit syncs the log with the grant in it before a blob goes.
        Assert.Equal([old.Id], await ledger.ClaimDeletedAsync(10, Token));
        Assert.Equal(Full, await ledger.ReadWriterSynchronousAsync(Token));
        Assert.Equal(1L, fixture.Scalar("SELECT COUNT(*) FROM slots WHERE claimed_at IS NOT NULL"));
    }
}
