using XmppUpload.Core.Accounts;
using XmppUpload.Core.Slots;
using XmppUpload.Storage.Postgres;
using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests.Postgres;

/// <summary>Slots, limits and the reserve/upload steps the account and sweeper tests share, on a fake clock.</summary>
internal sealed class PostgresAccountTestKit(FakeTimeProvider time)
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
        PostgresLedger ledger,
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
    public async Task<Slot> BeginAsync(PostgresLedger ledger, AccountLimits limits, string owner = TestSlots.Juliet, long size = Size)
    {
        var slot = await ReserveAsync(ledger, limits, owner, size);
        await ledger.BeginUploadAsync(slot.Id, Now, Ct);
        return (await ledger.FindSlotAsync(slot.Id, Ct))!;
    }

    /// <summary>A granted slot request whose upload has completed.</summary>
    public async Task<Slot> StoreAsync(
        PostgresLedger ledger,
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
    public async Task<long> UsedAsync(PostgresLedger ledger, string owner = TestSlots.Juliet, Purpose purpose = Purpose.Message)
    {
        var usage = (await ledger.GetUsageAsync(owner, Now, Ct)).SingleOrDefault(u => u.Purpose == purpose);
        return usage is null ? 0 : usage.StoredBytes + usage.ReservedBytes;
    }

    public static async Task<SlotState?> StateAsync(PostgresLedger ledger, string slotId) =>
        (await ledger.FindSlotAsync(slotId, Ct))?.State;
}
