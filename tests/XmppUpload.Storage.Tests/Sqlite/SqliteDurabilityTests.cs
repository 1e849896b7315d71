using XmppUpload.Core.Slots;
using XmppUpload.Storage.Sqlite;

namespace XmppUpload.Storage.Tests.Sqlite;

/// <summary>
/// Which commits wait for the disk. The completion of an upload is what a 201 promises, so it syncs the WAL
/// (synchronous FULL); beginning, renewing and aborting one do not (NORMAL), because the node's restart resets every
/// upload in progress to pending anyway. A pooled connection carries its pragma from one write to the next, so the
/// checks below follow one connection through writes of both kinds.
/// </summary>
public sealed class SqliteDurabilityTests
{
    private const long Normal = 1;
    private const long Full = 2;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UploadWrites_SyncTheWalOnlyForTheCompletion_EvenOnAConnectionLastUsedWithoutSync()
    {
        using var fixture = new LedgerFixture();
        var ledger = fixture.Open();
        var now = DateTimeOffset.UtcNow;
        var slot = TestSlots.New(now);
        await ledger.CreateSlotAsync(slot, Token);
        Assert.Equal(Full, await ledger.ReadPooledSynchronousAsync(Token));

        var begin = await ledger.TryBeginUploadAsync(slot.Id, now, TimeSpan.FromSeconds(15), Token);
        Assert.Equal(BeginUploadResult.Started, begin.Outcome);
        Assert.Equal(Normal, await ledger.ReadPooledSynchronousAsync(Token));

        Assert.True(await ledger.TryRenewUploadAsync(slot.Id, begin.Attempt!, now.AddSeconds(20), Token));
        Assert.Equal(Normal, await ledger.ReadPooledSynchronousAsync(Token));

        Assert.True(await ledger.TryCompleteUploadAsync(slot.Id, begin.Attempt!, now.AddSeconds(1), Token));
        Assert.Equal(Full, await ledger.ReadPooledSynchronousAsync(Token));
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
        Assert.Equal(Normal, await ledger.ReadPooledSynchronousAsync(Token));

        await ledger.CreateSlotAsync(TestSlots.New(now), Token);
        Assert.Equal(Full, await ledger.ReadPooledSynchronousAsync(Token));
        Assert.Equal(SlotState.Pending, (await ledger.FindSlotAsync(slot.Id, Token))!.State);
    }
}
