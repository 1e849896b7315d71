using XmppUpload.Core.Tokens;
using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests.Postgres;

public sealed class PostgresSigningKeyStoreTests(PostgresServerFixture server) : PostgresTestBase(server)
{
    [Fact]
    public async Task GetOrCreateKeys_EmptyLedger_CreatesOneRandomKey()
    {
        var keys = await Fixture.Open().GetOrCreateKeysAsync(Time, Ct);

        var key = Assert.Single(keys);
        Assert.Matches("^[a-z2-7]{8}$", key.Id);
        Assert.Equal(SigningKey.SecretLength, key.Secret.Length);
        Assert.Contains(key.Secret, b => b != 0);
        Assert.Equal(Time.GetUtcNow(), key.CreatedAt);
    }

    [Fact]
    public async Task GetOrCreateKeys_CalledAgain_ReturnsTheSameKey()
    {
        var ledger = Fixture.Open();
        var first = Assert.Single(await ledger.GetOrCreateKeysAsync(Time, Ct));
        Time.Advance(TimeSpan.FromDays(1));

        var again = Assert.Single(await ledger.GetOrCreateKeysAsync(Time, Ct));

        AssertSameKey(first, again);
    }

    [Fact]
    public async Task GetOrCreateKeys_ConcurrentCallers_ShareOneKey()
    {
        // Three ledgers on one fresh database, as three nodes starting at once: each migrates and creates the key.
        var ledgers = new[] { Fixture.Open(), Fixture.Open("node-b"), Fixture.Open("node-c") };
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var calls = Enumerable.Range(0, 48)
            .Select(i => Task.Run(
                async () =>
                {
                    await go.Task;
                    return await ledgers[i % ledgers.Length].GetOrCreateKeysAsync(Time, Ct);
                },
                Ct))
            .ToArray();
        go.SetResult();
        var results = await Task.WhenAll(calls);

        var first = Assert.Single(results[0]);
        Assert.All(results, keys => AssertSameKey(first, Assert.Single(keys)));
        Assert.Equal(1L, Fixture.Scalar("SELECT count(*) FROM signing_keys"));
    }

    [Fact]
    public async Task GetOrCreateKeys_AfterReopen_ReturnsThePersistedKey()
    {
        var ledger = Fixture.Open();
        var created = Assert.Single(await ledger.GetOrCreateKeysAsync(Time, Ct));
        await ledger.DisposeAsync();

        var reopened = Assert.Single(await Fixture.Open().GetOrCreateKeysAsync(new FakeTimeProvider(Time.GetUtcNow().AddYears(1)), Ct));

        AssertSameKey(created, reopened);
    }

    [Fact]
    public async Task GetOrCreateKeys_SeveralKeys_NewestFirst()
    {
        var ledger = Fixture.Open();
        var original = Assert.Single(await ledger.GetOrCreateKeysAsync(Time, Ct));
        var newer = Time.GetUtcNow().AddDays(30).ToUnixTimeMilliseconds();
        Fixture.Execute($"INSERT INTO signing_keys (id, secret, created_at) VALUES ('rotated2', decode(repeat('00', 32), 'hex'), {newer})");

        var keys = await ledger.GetOrCreateKeysAsync(Time, Ct);

        Assert.Equal(["rotated2", original.Id], keys.Select(k => k.Id));
    }

    private static void AssertSameKey(SigningKey expected, SigningKey actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Secret, actual.Secret);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
    }
}
