using XmppUpload.Core.Ports;
using XmppUpload.Core.Tokens;
using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests;

/// <summary>
/// What every <see cref="ISigningKeyStore"/> promises, run against the SQLite ledger (<see cref="Sqlite.SqliteSigningKeyStoreTests"/>)
/// and the real PostgreSQL (<see cref="Postgres.PostgresSigningKeyStoreTests"/>): the first key, rotation, concurrent
/// rotation, retirement and deletion. Several stores opened on one database stand for several nodes or processes.
/// </summary>
public abstract class SigningKeyStoreContract : IAsyncLifetime
{
    protected static readonly TimeSpan ActivationDelay = TimeSpan.FromMinutes(2);

    protected static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(5);

    private static readonly KeyRotationPolicy Policy = new(ActivationDelay, TokenLifetime);

    protected FakeTimeProvider Time { get; } = new();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DateTimeOffset Now => Time.GetUtcNow();

    public abstract ValueTask InitializeAsync();

    public abstract ValueTask DisposeAsync();

    /// <summary>A new store on the same database, as another node (<paramref name="node"/>) or process would open it.</summary>
    protected abstract ISigningKeyStore Open(string node = "node-a");

    /// <summary>Rows of signing_keys, counted past the store's API.</summary>
    protected abstract long CountKeyRows();

    [Fact]
    public async Task GetOrCreateKeys_EmptyLedger_CreatesOneRandomKeyThatSignsAtOnce()
    {
        var keys = await Open().GetOrCreateKeysAsync(Time, Ct);

        var key = Assert.Single(keys);
        Assert.Matches("^[a-z2-7]{8}$", key.Id);
        Assert.Equal(SigningKey.SecretLength, key.Secret.Length);
        Assert.Contains(key.Secret, b => b != 0);
        Assert.Equal(Now, key.CreatedAt);
        Assert.Equal(Now, key.ActivatesAt);
        Assert.Null(key.RetiresAt);
    }

    [Fact]
    public async Task GetOrCreateKeys_CalledAgain_ReturnsTheSameKey()
    {
        var store = Open();
        var first = Assert.Single(await store.GetOrCreateKeysAsync(Time, Ct));
        Time.Advance(TimeSpan.FromDays(1));

        var again = Assert.Single(await store.GetOrCreateKeysAsync(Time, Ct));

        AssertSameKey(first, again);
    }

    [Fact]
    public async Task GetOrCreateKeys_ConcurrentCallersOnSeveralStores_ShareOneKey()
    {
        // Three stores on one fresh database, as three nodes starting at once: each migrates and creates the key.
        var stores = new[] { Open(), Open("node-b"), Open("node-c") };

        var results = await AllAtOnceAsync(48, i => stores[i % stores.Length].GetOrCreateKeysAsync(Time, Ct));

        var first = Assert.Single(results[0]);
        Assert.All(results, keys => AssertSameKey(first, Assert.Single(keys)));
        Assert.Equal(1, CountKeyRows());
    }

    [Fact]
    public async Task GetOrCreateKeys_AfterReopen_ReturnsThePersistedKey()
    {
        var created = Assert.Single(await Open().GetOrCreateKeysAsync(Time, Ct));

        var reopened = Assert.Single(await Open().GetOrCreateKeysAsync(new FakeTimeProvider(Now.AddYears(1)), Ct));

        AssertSameKey(created, reopened);
    }

    [Fact]
    public async Task GetKeys_EmptyLedger_CreatesNothing()
    {
        Assert.Empty(await Open().GetKeysAsync(Time, Ct));
        Assert.Equal(0, CountKeyRows());
    }

    [Fact]
    public async Task Rotate_AddsAKeyThatSignsAfterTheDelay_AndRetiresTheOldOneATokenLifetimeLater()
    {
        var store = Open();
        var old = Assert.Single(await store.GetOrCreateKeysAsync(Time, Ct));
        Time.Advance(TimeSpan.FromDays(1));

        var rotation = await store.RotateKeysAsync(Time, Policy, Ct);

        Assert.True(rotation.Added);
        Assert.NotEqual(old.Id, rotation.Key.Id);
        Assert.Equal(Now, rotation.Key.CreatedAt);
        Assert.Equal(Now + ActivationDelay, rotation.Key.ActivatesAt);
        Assert.Null(rotation.Key.RetiresAt);
        Assert.Equal(old.Id, rotation.Replaced!.Id);
        Assert.Equal(Now + ActivationDelay + TokenLifetime, rotation.Replaced.RetiresAt);

        // Another node reads exactly what the rotation reported, newest activation first.
        var keys = await Open("node-b").GetKeysAsync(Time, Ct);
        Assert.Equal([rotation.Key.Id, old.Id], keys.Select(k => k.Id));
        AssertSameKey(rotation.Key, keys[0]);
        AssertSameKey(rotation.Replaced, keys[1]);
        Assert.Equal(old.Secret, keys[1].Secret);
    }

    [Fact]
    public async Task Rotate_TheOldKeySignsUntilTheNewOneActivates_BothVerifyMeanwhile()
    {
        var store = Open();
        var old = Assert.Single(await store.GetOrCreateKeysAsync(Time, Ct));
        var rotation = await store.RotateKeysAsync(Time, Policy, Ct);

        Time.Advance(ActivationDelay - TimeSpan.FromMilliseconds(1));
        var before = await store.GetKeysAsync(Time, Ct);
        Time.Advance(TimeSpan.FromMilliseconds(1));
        var at = await store.GetKeysAsync(Time, Ct);

        Assert.Equal(old.Id, SigningKeySchedule.SignerAt(before, Now.AddMilliseconds(-1))!.Id);
        Assert.Equal(rotation.Key.Id, SigningKeySchedule.SignerAt(at, Now)!.Id);
        Assert.Equal(2, before.Count);
        Assert.Equal(2, at.Count);
    }

    [Fact]
    public async Task Rotate_WhileARotationIsUnderWay_AddsNothingAndReportsThatRotation()
    {
        var store = Open();
        var old = Assert.Single(await store.GetOrCreateKeysAsync(Time, Ct));
        var first = await store.RotateKeysAsync(Time, Policy, Ct);
        Time.Advance(ActivationDelay / 2);

        var second = await Open("node-b").RotateKeysAsync(Time, Policy, Ct);

        Assert.False(second.Added);
        AssertSameKey(first.Key, second.Key);
        Assert.Equal(old.Id, second.Replaced!.Id);
        Assert.Equal(first.Replaced!.RetiresAt, second.Replaced.RetiresAt);
        Assert.Equal(2, CountKeyRows());
    }

    [Fact]
    public async Task Rotate_ConcurrentCallersOnSeveralStores_AgreeOnOneNewKey()
    {
        var stores = new[] { Open(), Open("node-b"), Open("node-c") };
        var old = Assert.Single(await stores[0].GetOrCreateKeysAsync(Time, Ct));

        var rotations = await AllAtOnceAsync(24, i => stores[i % stores.Length].RotateKeysAsync(Time, Policy, Ct));

        var added = Assert.Single(rotations, r => r.Added);
        Assert.All(rotations, r => AssertSameKey(added.Key, r.Key));
        Assert.All(rotations, r => Assert.Equal(old.Id, r.Replaced!.Id));
        var keys = await stores[1].GetKeysAsync(Time, Ct);
        Assert.Equal([added.Key.Id, old.Id], keys.Select(k => k.Id));
        Assert.Equal(added.Replaced!.RetiresAt, keys[1].RetiresAt);
        Assert.Equal(2, CountKeyRows());
    }

    [Fact]
    public async Task Rotate_AfterTheNewKeyActivated_AddsAnother_AndLeavesTheEarlierRetirementAlone()
    {
        var store = Open();
        var oldest = Assert.Single(await store.GetOrCreateKeysAsync(Time, Ct));
        var first = await store.RotateKeysAsync(Time, Policy, Ct);
        Time.Advance(ActivationDelay + TimeSpan.FromMinutes(1));

        var second = await store.RotateKeysAsync(Time, Policy, Ct);

        Assert.True(second.Added);
        Assert.Equal(first.Key.Id, second.Replaced!.Id);
        Assert.Equal(Now + ActivationDelay + TokenLifetime, second.Replaced.RetiresAt);
        var keys = await store.GetKeysAsync(Time, Ct);
        Assert.Equal([second.Key.Id, first.Key.Id, oldest.Id], keys.Select(k => k.Id));
        Assert.Equal(first.Replaced!.RetiresAt, keys[2].RetiresAt);
    }

    [Fact]
    public async Task RetiredKey_IsNoLongerReturned_AndItsRowIsDeleted()
    {
        var store = Open();
        var old = Assert.Single(await store.GetOrCreateKeysAsync(Time, Ct));
        var rotation = await store.RotateKeysAsync(Time, Policy, Ct);
        var retiresAt = rotation.Replaced!.RetiresAt!.Value;

        Time.SetUtcNow(retiresAt.AddMilliseconds(-1));
        Assert.Equal([rotation.Key.Id, old.Id], (await Open("node-b").GetKeysAsync(Time, Ct)).Select(k => k.Id));
        Assert.Equal(2, CountKeyRows());

        Time.SetUtcNow(retiresAt);
        var keys = await Open("node-b").GetKeysAsync(Time, Ct);

        AssertSameKey(rotation.Key, Assert.Single(keys));
        Assert.Equal(1, CountKeyRows());
        AssertSameKey(rotation.Key, Assert.Single(await store.GetOrCreateKeysAsync(Time, Ct)));
    }

    [Fact]
    public async Task Rotate_OnAnEmptyLedger_CreatesTheFirstKeyThatSignsAtOnce()
    {
        var rotation = await Open().RotateKeysAsync(Time, Policy, Ct);

        Assert.True(rotation.Added);
        Assert.Null(rotation.Replaced);
        Assert.Equal(Now, rotation.Key.ActivatesAt);
        AssertSameKey(rotation.Key, Assert.Single(await Open("node-b").GetOrCreateKeysAsync(Time, Ct)));
    }

    [Fact]
    public async Task Rotate_AfterAnOldKeyRetired_DeletesIt()
    {
        var store = Open();
        await store.GetOrCreateKeysAsync(Time, Ct);
        var first = await store.RotateKeysAsync(Time, Policy, Ct);
        Time.SetUtcNow(first.Replaced!.RetiresAt!.Value);

        var second = await store.RotateKeysAsync(Time, Policy, Ct);

        Assert.Equal(first.Key.Id, second.Replaced!.Id);
        Assert.Equal(2, CountKeyRows());
        Assert.Equal([second.Key.Id, first.Key.Id], (await store.GetKeysAsync(Time, Ct)).Select(k => k.Id));
    }

    protected static void AssertSameKey(SigningKey expected, SigningKey actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Secret, actual.Secret);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
        Assert.Equal(expected.ActivatesAt, actual.ActivatesAt);
        Assert.Equal(expected.RetiresAt, actual.RetiresAt);
    }

    /// <summary>Starts <paramref name="count"/> calls on the thread pool and releases them together.</summary>
    private static async Task<T[]> AllAtOnceAsync<T>(int count, Func<int, Task<T>> call)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, count)
            .Select(i => Task.Run(
                async () =>
                {
                    await go.Task;
                    return await call(i);
                },
                Ct))
            .ToArray();
        go.SetResult();
        return await Task.WhenAll(calls);
    }
}
