using XmppUpload.Core.Accounts;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Testing;
using static XmppUpload.Storage.Tests.LedgerTestKit;
using static XmppUpload.Storage.Tests.TestSlots;

namespace XmppUpload.Storage.Tests;

/// <summary>
/// Under any number of concurrent slot requests and uploads, on one ledger or on several that share a store, every
/// ledger keeps an account's usage within its quota and the sum of all accounts within the global quota, and never loses
/// a reservation or counts one twice; run against each ledger by a subclass.
/// </summary>
public abstract class AccountConcurrencyLedgerContract<TLedger> : LedgerContract<TLedger>
    where TLedger : ILedger, IAccountLedger, ISweepLedger
{
    private const int Requests = 64;
    private const int Fits = 10;

    [Fact]
    public Task Reserve_64ConcurrentRequestsOnOneLedger_NeverExceedQuota() =>
        RequestAllAtOnceAsync([OpenLedger()], OverQuotaRule.Reject);

    [Fact]
    public Task Reserve_64ConcurrentRequestsOnSeveralLedgers_NeverExceedQuota() =>
        RequestAllAtOnceAsync(OpenSeveralLedgers(), OverQuotaRule.Reject);

    [Fact]
    public Task Reserve_64ConcurrentRequestsWithEvictOldestOnOneLedger_NeverExceedQuota() =>
        RequestAllAtOnceAsync([OpenLedger()], OverQuotaRule.EvictOldest);

    [Fact]
    public Task Reserve_64ConcurrentRequestsWithEvictOldestOnSeveralLedgers_NeverExceedQuota() =>
        RequestAllAtOnceAsync(OpenSeveralLedgers(), OverQuotaRule.EvictOldest);

    [Fact]
    public async Task Reserve_ConcurrentRequestsOfManyAccountsOnSeveralLedgers_NeverExceedTheGlobalQuota()
    {
        // Per-account locks alone would let two accounts pass the global quota together; the global lock serialises them.
        var ledgers = OpenSeveralLedgers();
        var limits = Limits(100 * Size, globalQuota: Fits * Size);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = Enumerable.Range(0, Requests)
            .Select(i => Task.Run(
                async () =>
                {
                    await go.Task;
                    var slot = Kit.NewSlot(owner: $"user{i % 16}@example.org");
                    return await ledgers[i % ledgers.Count].ReserveSlotAsync(slot, limits, Now, Ct);
                },
                Ct))
            .ToArray();
        go.SetResult();

        var decisions = await Task.WhenAll(requests);

        Assert.Equal(Fits, decisions.Count(d => d.IsGranted));
        Assert.Equal((long)Fits * Size, Fixture.Scalar("SELECT CAST(SUM(size) AS bigint) FROM slots"));
    }

    private async Task RequestAllAtOnceAsync(IReadOnlyList<TLedger> ledgers, OverQuotaRule rule)
    {
        var limits = Limits(Fits * Size, rule);
        var now = Time.GetUtcNow();
        var observer = Fixture.Open();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Every request that is granted starts its upload; two in three complete it, one in three stays Uploading.
        async Task<Outcome> RequestAsync(int i)
        {
            await go.Task;
            var ledger = ledgers[i % ledgers.Count];
            var slot = Kit.NewSlot();
            var decision = await ledger.ReserveSlotAsync(slot, limits, now, Ct);
            if (decision.IsGranted)
            {
                var attempt = await ledger.BeginUploadAsync(slot.Id, now, Ct);
                if (i % 3 != 0)
                {
                    Assert.True(await ledger.TryCompleteUploadAsync(slot.Id, attempt, now, Ct));
                }
            }

            // What any reader sees at any moment is within the quota.
            Assert.InRange(await Kit.UsedAsync(observer), 0, limits.Bucket.Quota);
            return new Outcome(slot, decision);
        }

        var requests = Enumerable.Range(0, Requests).Select(i => Task.Run(() => RequestAsync(i), Ct)).ToArray();
        go.SetResult();
        var outcomes = await Task.WhenAll(requests);

        var granted = outcomes.Where(o => o.Decision.IsGranted).ToArray();
        var evicted = granted.SelectMany(o => o.Decision.Evict).ToHashSet(StringComparer.Ordinal);
        var kept = granted.Where(o => !evicted.Contains(o.Slot.Id)).ToArray();

        // Every byte counted belongs to exactly one granted, not evicted slot: none lost, none counted twice.
        Assert.Equal(kept.Length * Size, await Kit.UsedAsync(observer));
        Assert.InRange(kept.Length * Size, 0, limits.Bucket.Quota);
        foreach (var outcome in outcomes)
        {
            var state = await StateAsync(observer, outcome.Slot.Id);
            if (!outcome.Decision.IsGranted)
            {
                Assert.Null(state);
                Assert.NotNull(outcome.Decision.Refusal);
            }
            else if (evicted.Contains(outcome.Slot.Id))
            {
                Assert.Equal(SlotState.Deleted, state);
            }
            else
            {
                Assert.True(state is SlotState.Stored or SlotState.Uploading, $"{outcome.Slot.Id} is {state}");
            }
        }

        if (rule == OverQuotaRule.Reject)
        {
            // Nothing frees space under Reject, so exactly what fits was granted and the rest refused.
            Assert.Equal(Fits, granted.Length);
            Assert.Empty(evicted);
        }
        else
        {
            // Only stored files are evicted, each once; the quota ends full.
            Assert.Equal(granted.Sum(o => o.Decision.Evict.Count), evicted.Count);
            Assert.All(evicted, id => Assert.Contains(granted, o => o.Slot.Id == id));
            Assert.True(granted.Length >= Fits);
            Assert.Equal(Fits, kept.Length);
        }

        Assert.Equal(granted.Length, RequestsRecorded());
    }

    /// <summary>
    /// Ledgers on the test's store that share no lock in this process, as separate processes or nodes would open it;
    /// only the store's own locking can serialise their requests.
    /// </summary>
    protected abstract IReadOnlyList<TLedger> OpenSeveralLedgers();

    private long RequestsRecorded() =>
        (long)Fixture.Scalar($"SELECT COUNT(*) FROM slot_requests WHERE owner = '{Juliet}'")!;

    private sealed record Outcome(Slot Slot, AccountDecision Decision);
}
