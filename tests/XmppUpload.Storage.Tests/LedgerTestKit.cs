using XmppUpload.Core.Accounts;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests;

/// <summary>Slots, limits and the reserve/upload steps the ledger tests share, on a fake clock, for any ledger.</summary>
internal sealed class LedgerTestKit(FakeTimeProvider time)
{
    /// <summary>One file's size; quotas in these tests are whole multiples of it.</summary>
    public const long Size = 1000;

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public DateTimeOffset Now => time.GetUtcNow();

    public static AccountLimits Limits(
        long quota,
        OverQuotaRule rule = OverQuotaRule.Reject,
        Purpose purpose = Purpose.Message,
        int requests = 1000,
        TimeSpan? window = null,
        long? globalQuota = null) =>
        new(
            new BucketPolicy(purpose, true, quota, TimeSpan.FromDays(30), quota, rule),
            requests,
            window ?? TimeSpan.FromMinutes(5),
            globalQuota);

    public Slot NewSlot(string owner = TestSlots.Juliet, long size = Size, Purpose purpose = Purpose.Message, TimeSpan? retention = null) =>
        TestSlots.New(Now, purpose: purpose, expiresAt: retention is { } r ? Now + r : null, owner: owner, size: size);

    /// <summary>A granted slot request, left Pending.</summary>
    public async Task<Slot> ReserveAsync(
        ILedger ledger,
        AccountLimits limits,
        string owner = TestSlots.Juliet,
        long size = Size,
        TimeSpan? retention = null)
    {
        var slot = NewSlot(owner, size, limits.Bucket.Purpose, retention);
        var decision = await ledger.ReserveSlotAsync(slot, limits, Now, Ct);
        Assert.True(decision.IsGranted, decision.Text);
        return slot;
    }

    /// <summary>A granted slot request whose upload has started, as the ledger has it now (with its attempt and lease).</summary>
    public async Task<Slot> BeginAsync(ILedger ledger, AccountLimits limits, string owner = TestSlots.Juliet, long size = Size)
    {
        var slot = await ReserveAsync(ledger, limits, owner, size);
        await ledger.BeginUploadAsync(slot.Id, Now, Ct);
        return (await ledger.FindSlotAsync(slot.Id, Ct))!;
    }

    /// <summary>A granted slot request whose upload has completed.</summary>
    public async Task<Slot> StoreAsync(
        ILedger ledger,
        AccountLimits limits,
        string owner = TestSlots.Juliet,
        long size = Size,
        TimeSpan? retention = null)
    {
        var slot = await ReserveAsync(ledger, limits, owner, size, retention);
        await ledger.StoreUploadAsync(slot.Id, Now, Ct);
        return slot;
    }

    /// <summary>Stored plus reserved bytes of one bucket, as the usage report gives them.</summary>
    public async Task<long> UsedAsync(IAccountLedger ledger, string owner = TestSlots.Juliet, Purpose purpose = Purpose.Message)
    {
        var usage = (await ledger.GetUsageAsync(owner, Now, Ct)).SingleOrDefault(u => u.Purpose == purpose);
        return usage is null ? 0 : usage.StoredBytes + usage.ReservedBytes;
    }

    /// <summary>Stores <paramref name="count"/> files and deletes them by their owner's request; returns their ids.</summary>
    public async Task<List<string>> DeletedAsync<TLedger>(TLedger ledger, AccountLimits limits, int count)
        where TLedger : ILedger, IAccountLedger
    {
        var deleted = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var slot = await StoreAsync(ledger, limits);
            Assert.True(await ledger.DeleteFileAsync(TestSlots.Juliet, slot.Id, Ct));
            deleted.Add(slot.Id);
        }

        return deleted;
    }

    public static async Task<SlotState?> StateAsync(ILedger ledger, string slotId) =>
        (await ledger.FindSlotAsync(slotId, Ct))?.State;
}
