using XmppUpload.Core.Accounts;
using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Tests;

public sealed class AccountRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private static AccountLimits Limits(long quota = 1000, OverQuotaRule rule = OverQuotaRule.Reject, int requests = 60, long? global = null) =>
        new(new BucketPolicy(Purpose.Message, true, 1000, TimeSpan.FromDays(30), quota, rule), requests, TimeSpan.FromMinutes(5), global);

    private static AccountSnapshot Snapshot(
        long stored = 0,
        long reserved = 0,
        IReadOnlyList<StoredFileRef>? oldest = null,
        DateTimeOffset? nextExpiry = null,
        DateTimeOffset? nextLapse = null,
        int requests = 0,
        DateTimeOffset? oldestRequest = null,
        long global = 0) =>
        new(stored, reserved, oldest ?? [], nextExpiry, nextLapse, requests, oldestRequest, global);

    [Fact]
    public void Decide_WithinQuota_Grants()
    {
        var decision = AccountRules.Decide(Snapshot(stored: 600, reserved: 100), 300, Limits(), Now);

        Assert.True(decision.IsGranted);
        Assert.Empty(decision.Evict);
    }

    [Fact]
    public void Decide_ReservationsCountAgainstTheQuota()
    {
        var decision = AccountRules.Decide(Snapshot(stored: 600, reserved: 101, nextLapse: Now.AddMinutes(4)), 300, Limits(), Now);

        Assert.False(decision.IsGranted);
        Assert.Equal(SlotRefusal.ResourceConstraint, decision.Refusal);
        // The reservation lapsing is when space frees.
        Assert.Equal(Now.AddMinutes(4), decision.RetryAt);
    }

    [Fact]
    public void Decide_RejectBucketOverQuota_RetriesAtTheEarliestExpiryOrLapse()
    {
        var decision = AccountRules.Decide(
            Snapshot(stored: 900, nextExpiry: Now.AddDays(2), nextLapse: Now.AddMinutes(3)), 200, Limits(), Now);

        Assert.Equal(SlotRefusal.ResourceConstraint, decision.Refusal);
        Assert.Equal(Now.AddMinutes(3), decision.RetryAt);
        Assert.Contains("2026-03-01T10:03:00Z", decision.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_RejectBucketFullWithNothingFreeing_IsQuotaFullWithoutRetry()
    {
        var decision = AccountRules.Decide(Snapshot(stored: 1000), 1, Limits(), Now);

        Assert.Equal(SlotRefusal.QuotaFull, decision.Refusal);
        Assert.Null(decision.RetryAt);
        Assert.Contains("quota", decision.Text, StringComparison.Ordinal);
        Assert.Contains("full", decision.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_AtExactlyTheQuota_Grants()
    {
        Assert.True(AccountRules.Decide(Snapshot(stored: 700), 300, Limits(), Now).IsGranted);
        Assert.False(AccountRules.Decide(Snapshot(stored: 701), 300, Limits(), Now).IsGranted);
    }

    [Fact]
    public void Decide_EvictOldest_EvictsJustEnoughOldestFiles()
    {
        IReadOnlyList<StoredFileRef> oldest = [new("a", 300, Now.AddDays(-3)), new("b", 300, Now.AddDays(-2)), new("c", 300, Now.AddDays(-1))];

        var decision = AccountRules.Decide(Snapshot(stored: 900, oldest: oldest), 400, Limits(rule: OverQuotaRule.EvictOldest), Now);

        Assert.True(decision.IsGranted);
        Assert.Equal(["a"], decision.Evict);
    }

    [Fact]
    public void Decide_EvictOldest_WhenReservationsLeaveNoRoom_RefusesWithTheirLapse()
    {
        IReadOnlyList<StoredFileRef> oldest = [new("a", 100, Now.AddDays(-3))];

        var decision = AccountRules.Decide(
            Snapshot(stored: 100, reserved: 800, oldest: oldest, nextLapse: Now.AddMinutes(2)), 300, Limits(rule: OverQuotaRule.EvictOldest), Now);

        Assert.False(decision.IsGranted);
        Assert.Equal(SlotRefusal.ResourceConstraint, decision.Refusal);
        Assert.Equal(Now.AddMinutes(2), decision.RetryAt);
    }

    [Theory]
    [InlineData(OverQuotaRule.Reject)]
    [InlineData(OverQuotaRule.EvictOldest)]
    public void Decide_FileLargerThanTheWholeQuota_IsRefused(OverQuotaRule rule)
    {
        var decision = AccountRules.Decide(Snapshot(), 1001, Limits(rule: rule), Now);

        Assert.Equal(SlotRefusal.QuotaFull, decision.Refusal);
        Assert.Contains("larger than your whole message quota", decision.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_RateWindowFull_RetriesWhenTheOldestRequestLeavesTheWindow()
    {
        var oldest = Now.AddMinutes(-4);

        var decision = AccountRules.Decide(Snapshot(requests: 60, oldestRequest: oldest), 1, Limits(), Now);

        Assert.Equal(SlotRefusal.RateLimited, decision.Refusal);
        Assert.Equal(oldest.AddMinutes(5), decision.RetryAt);
        Assert.Contains("60 per 5 minutes", decision.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_OneBelowTheRateLimit_Grants()
    {
        Assert.True(AccountRules.Decide(Snapshot(requests: 59, oldestRequest: Now.AddMinutes(-1)), 1, Limits(), Now).IsGranted);
    }

    [Fact]
    public void Decide_OverGlobalQuota_IsRefusedAsFull()
    {
        var decision = AccountRules.Decide(Snapshot(global: 9_950), 100, Limits(global: 10_000), Now);

        Assert.Equal(SlotRefusal.QuotaFull, decision.Refusal);
        Assert.Contains("full", decision.Text, StringComparison.Ordinal);
    }
}
