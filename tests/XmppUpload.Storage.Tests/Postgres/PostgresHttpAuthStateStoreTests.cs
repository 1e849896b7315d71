using System.Text;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Storage.Postgres;

namespace XmppUpload.Storage.Tests.Postgres;

/// <summary>
/// The XEP-0070 state on PostgreSQL as several nodes use it: each store is on a ledger of its own (its own pool), so
/// what one records, every other sees.
/// </summary>
public sealed class PostgresHttpAuthStateStoreTests(PostgresServerFixture server) : PostgresTestBase(server)
{
    private const int MaxUses = 1_000;
    private const string TransactionId = "a7374jnjlalasdf82";

    private static readonly Jid Juliet = Jid.Parse("juliet@capulet.com/balcony");

    [Fact]
    public async Task NonceCount_UsedOnOneNode_IsAReplayOnAnother_WhileOtherCountsAreFresh()
    {
        var (a, b) = (Node("node-a"), Node("node-b"));
        var expires = Now.AddMinutes(5);

        Assert.Equal(NonceCountUse.Fresh, await a.TryUseNonceCountAsync("nonce-1", 1, expires, MaxUses, Ct));
        Assert.Equal(NonceCountUse.Replayed, await b.TryUseNonceCountAsync("nonce-1", 1, expires, MaxUses, Ct));
        Assert.Equal(NonceCountUse.Replayed, await a.TryUseNonceCountAsync("nonce-1", 1, expires, MaxUses, Ct));
        Assert.Equal(NonceCountUse.Fresh, await b.TryUseNonceCountAsync("nonce-1", 2, expires, MaxUses, Ct));
        Assert.Equal(NonceCountUse.Fresh, await b.TryUseNonceCountAsync("nonce-2", 1, expires, MaxUses, Ct));
        Assert.Equal(NonceCountUse.Fresh, await a.TryUseNonceCountAsync("nonce-1", uint.MaxValue, expires, MaxUses, Ct));
    }

    [Fact]
    public async Task NonceCount_TheSameCountOnEveryNodeAtOnce_IsFreshExactlyOnce()
    {
        var nodes = new[] { Node("node-a"), Node("node-b"), Node("node-c") };
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var uses = Enumerable.Range(0, 30)
            .Select(i => Task.Run(async () => { await go.Task; return await nodes[i % 3].TryUseNonceCountAsync("nonce-raced", 7, Now.AddMinutes(5), MaxUses, Ct); }, Ct))
            .ToArray();
        go.SetResult();

        var results = await Task.WhenAll(uses);

        Assert.Equal(1, results.Count(r => r == NonceCountUse.Fresh));
        Assert.Equal(29, results.Count(r => r == NonceCountUse.Replayed));
    }

    [Fact]
    public async Task NonceCount_BeyondTheUsesOfOneNonce_IsExhausted_ButARepeatIsStillAReplay()
    {
        var store = Node("node-a");
        for (uint nc = 1; nc <= 3; nc++)
        {
            Assert.Equal(NonceCountUse.Fresh, await store.TryUseNonceCountAsync("nonce-1", nc, Now.AddMinutes(5), 3, Ct));
        }

        Assert.Equal(NonceCountUse.NonceExhausted, await store.TryUseNonceCountAsync("nonce-1", 4, Now.AddMinutes(5), 3, Ct));
        Assert.Equal(NonceCountUse.Replayed, await store.TryUseNonceCountAsync("nonce-1", 2, Now.AddMinutes(5), 3, Ct));
    }

    [Fact]
    public async Task Answer_RecordedThroughOneNode_IsFoundByAnother_UntilItIsOlderThanAsked()
    {
        var (a, b) = (Node("node-a"), Node("node-b"));
        await a.RecordAnswerAsync(Juliet, TransactionId, confirmed: true, Now, Now.AddMinutes(10), Ct);

        Assert.Equal(ConfirmationOutcome.Confirmed, await b.FindAnswerAsync(Juliet, TransactionId, Now.AddMinutes(-10), Ct));
        Assert.Null(await b.FindAnswerAsync(Juliet, TransactionId, Now, Ct));
        Assert.Null(await b.FindAnswerAsync(Juliet, "another-transaction", Now.AddMinutes(-10), Ct));
        Assert.Null(await b.FindAnswerAsync(Jid.Parse("juliet@capulet.com/chamber"), TransactionId, Now.AddMinutes(-10), Ct));
        Assert.Null(await b.FindAnswerAsync(Juliet.Bare, TransactionId, Now.AddMinutes(-10), Ct));
    }

    [Fact]
    public async Task Answer_ADenialReplacesAConfirmation_AndTheLaterAnswerHolds()
    {
        var (a, b) = (Node("node-a"), Node("node-b"));
        await a.RecordAnswerAsync(Juliet, TransactionId, confirmed: true, Now, Now.AddMinutes(10), Ct);
        Time.Advance(TimeSpan.FromMinutes(1));
        await b.RecordAnswerAsync(Juliet, TransactionId, confirmed: false, Now, Now.AddMinutes(10), Ct);

        Assert.Equal(ConfirmationOutcome.Denied, await a.FindAnswerAsync(Juliet, TransactionId, Now.AddMinutes(-10), Ct));
        Assert.Equal(1L, Fixture.Scalar("SELECT count(*) FROM dav_confirmations"));
    }

    [Fact]
    public async Task Answer_KeepsOnlyASaltedHashOfTheTransactionId()
    {
        await Node("node-a").RecordAnswerAsync(Juliet, TransactionId, confirmed: true, Now, Now.AddMinutes(10), Ct);

        var stored = (byte[])Fixture.Scalar("SELECT transaction_hash FROM dav_confirmations")!;
        var clear = Encoding.UTF8.GetBytes(TransactionId);

        Assert.Equal(32, stored.Length);
        Assert.Equal(PostgresHttpAuthStateStore.TransactionHash(Juliet, TransactionId), stored);
        Assert.NotEqual(System.Security.Cryptography.SHA256.HashData(clear), stored);
        Assert.Equal(0L, Fixture.Scalar($"SELECT count(*) FROM dav_confirmations WHERE position('\\x{Convert.ToHexStringLower(clear)}'::bytea in transaction_hash) > 0 OR jid LIKE '%{TransactionId}%'"));
        Assert.NotEqual(stored, PostgresHttpAuthStateStore.TransactionHash(Juliet.Bare, TransactionId));
    }

    [Fact]
    public async Task RemoveExpired_TakesOnlyExpiredRows_AtMostABatchOfEachKindAtATime()
    {
        var store = Node("node-a");
        for (uint nc = 1; nc <= 5; nc++)
        {
            await store.TryUseNonceCountAsync("old-nonce", nc, Now.AddMinutes(1), MaxUses, Ct);
        }

        await store.TryUseNonceCountAsync("new-nonce", 1, Now.AddMinutes(10), MaxUses, Ct);
        for (var i = 0; i < 4; i++)
        {
            await store.RecordAnswerAsync(Juliet, $"old-transaction-{i}", confirmed: true, Now, Now.AddMinutes(1), Ct);
        }

        await store.RecordAnswerAsync(Juliet, "new-transaction", confirmed: true, Now, Now.AddMinutes(10), Ct);
        var later = Now.AddMinutes(1);

        Assert.Equal(4, await store.RemoveExpiredAsync(later, 2, Ct));
        Assert.Equal(4, await store.RemoveExpiredAsync(later, 2, Ct));
        Assert.Equal(1, await store.RemoveExpiredAsync(later, 2, Ct));
        Assert.Equal(0, await store.RemoveExpiredAsync(later, 2, Ct));

        Assert.Equal(1L, Fixture.Scalar("SELECT count(*) FROM dav_nonce_counts"));
        Assert.Equal(1L, Fixture.Scalar("SELECT count(*) FROM dav_confirmations"));
        Assert.Equal(ConfirmationOutcome.Confirmed, await store.FindAnswerAsync(Juliet, "new-transaction", Now.AddMinutes(-1), Ct));
        Assert.Equal(NonceCountUse.Replayed, await store.TryUseNonceCountAsync("new-nonce", 1, Now.AddMinutes(10), MaxUses, Ct));
    }

    private PostgresHttpAuthStateStore Node(string nodeId) => new(Fixture.Open(nodeId));
}
