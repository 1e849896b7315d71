using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.Tests;

/// <summary>
/// What every <see cref="ISharedSecretStore"/> does: run on the SQLite ledger (<c>SqliteSharedSecretStoreTests</c>)
/// and the PostgreSQL ledger (<c>PostgresSharedSecretStoreTests</c>), where each store opened is another process or node.
/// </summary>
public abstract class SharedSecretStoreContractTests : IAsyncLifetime
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Secret_IsCreatedOnce_AndEveryStoreOnTheDatabaseReadsTheSameBytes()
    {
        var first = await OpenAsync();
        var created = await first.GetOrCreateSecretAsync("nonce-key", 32, Ct);

        var again = await first.GetOrCreateSecretAsync("nonce-key", 32, Ct);
        var elsewhere = await (await OpenAsync()).GetOrCreateSecretAsync("nonce-key", 32, Ct);

        Assert.Equal(32, created.Length);
        Assert.Contains(created, b => b != 0);
        Assert.Equal(created, again);
        Assert.Equal(created, elsewhere);
    }

    [Fact]
    public async Task Secret_CreatedByManyStoresAtOnce_IsTheFirstCreatorsForAll()
    {
        var stores = new[] { await OpenAsync(), await OpenAsync(), await OpenAsync() };
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reads = Enumerable.Range(0, 24)
            .Select(i => Task.Run(async () => { await go.Task; return await stores[i % stores.Length].GetOrCreateSecretAsync("raced", 32, Ct); }, Ct))
            .ToArray();
        go.SetResult();

        var secrets = await Task.WhenAll(reads);

        Assert.All(secrets, secret => Assert.Equal(secrets[0], secret));
        Assert.Equal(secrets[0], await (await OpenAsync()).GetOrCreateSecretAsync("raced", 32, Ct));
    }

    [Fact]
    public async Task Secrets_OfDifferentNames_AreApart()
    {
        var store = await OpenAsync();

        var one = await store.GetOrCreateSecretAsync("one", 32, Ct);
        var other = await store.GetOrCreateSecretAsync("other", 16, Ct);

        Assert.NotEqual(one, other);
        Assert.Equal(16, other.Length);
    }

    [Fact]
    public async Task Secret_AskedForWithAnotherLengthThanStored_IsAnErrorNamingIt()
    {
        var store = await OpenAsync();
        await store.GetOrCreateSecretAsync("nonce-key", 32, Ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.GetOrCreateSecretAsync("nonce-key", 64, Ct));

        Assert.Contains("'nonce-key'", error.Message, StringComparison.Ordinal);
        Assert.Contains("32 bytes where 64", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A store on the test's database, as another process or node opens it.</summary>
    protected abstract ValueTask<ISharedSecretStore> OpenAsync();
}
