using XmppUpload.Core.Accounts;
using XmppUpload.Core.Slots;
using XmppUpload.Storage.Sqlite;
using XmppUpload.Testing;
using static XmppUpload.Storage.Tests.Sqlite.AccountTestKit;
using static XmppUpload.Storage.Tests.TestSlots;

namespace XmppUpload.Storage.Tests.Sqlite;

/// <summary>
/// Issue 3: under any number of concurrent slot requests and uploads for one account, usage never exceeds the quota and
/// reservations are never lost or counted twice. Several ledgers on one file share no in-process lock, as processes
/// (or an operator's command beside the node) would not: there, only BEGIN IMMEDIATE serialises them.
/// </summary>
public sealed class SqliteAccountConcurrencyTests : IDisposable
{
    private const int Requests = 64;
    private const int Fits = 10;

    private readonly LedgerFixture _fixture = new();
    private readonly FakeTimeProvider _time = new();
    private readonly AccountTestKit _kit;

    public SqliteAccountConcurrencyTests() => _kit = new AccountTestKit(_time);

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public Task Reserve_64ConcurrentRequests_NeverExceedQuota() =>
        RequestAllAtOnceAsync([_fixture.Open()], OverQuotaRule.Reject);

    [Fact]
    public Task Reserve_64ConcurrentRequestsOnTwoLedgersOfOneFile_NeverExceedQuota() =>
        RequestAllAtOnceAsync([_fixture.Open(), _fixture.Open()], OverQuotaRule.Reject);

    [Fact]
    public Task Reserve_64ConcurrentRequestsWithEvictOldest_NeverExceedQuota() =>
        RequestAllAtOnceAsync([_fixture.Open()], OverQuotaRule.EvictOldest);

    [Fact]
    public Task Reserve_64ConcurrentRequestsWithEvictOldestOnTwoLedgersOfOneFile_NeverExceedQuota() =>
        RequestAllAtOnceAsync([_fixture.Open(), _fixture.Open()], OverQuotaRule.EvictOldest);

    private async Task RequestAllAtOnceAsync(IReadOnlyList<SqliteLedger> ledgers, OverQuotaRule rule)
    {
        var limits = Limits(Fits * Size, rule);
        var now = _time.GetUtcNow();
        var observer = _fixture.Open();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Every request that is granted starts its upload; two in three complete it, one in three stays Uploading.
        async Task<Outcome> RequestAsync(int i)
        {
            await go.Task;
            var ledger = ledgers[i % ledgers.Count];
            var slot = _kit.NewSlot();
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
            Assert.InRange(await _kit.UsedAsync(observer), 0, limits.Bucket.Quota);
            return new Outcome(slot, decision);
        }

        var requests = Enumerable.Range(0, Requests).Select(i => Task.Run(() => RequestAsync(i), Ct)).ToArray();
        go.SetResult();
        var outcomes = await Task.WhenAll(requests);

        var granted = outcomes.Where(o => o.Decision.IsGranted).ToArray();
        var evicted = granted.SelectMany(o => o.Decision.Evict).ToHashSet(StringComparer.Ordinal);
        var kept = granted.Where(o => !evicted.Contains(o.Slot.Id)).ToArray();

        // Every byte counted belongs to exactly one granted, not evicted slot: none lost, none counted twice.
        Assert.Equal(kept.Length * Size, await _kit.UsedAsync(observer));
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

    private long RequestsRecorded() =>
        (long)_fixture.Scalar($"SELECT COUNT(*) FROM slot_requests WHERE owner = '{Juliet}'")!;

    private sealed record Outcome(Slot Slot, AccountDecision Decision);
}
