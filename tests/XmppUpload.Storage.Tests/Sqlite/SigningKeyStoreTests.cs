using XmppUpload.Core.Tokens;
using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests.Sqlite;

public sealed class SigningKeyStoreTests : IDisposable
{
    private readonly LedgerFixture _fixture = new();
    private readonly FakeTimeProvider _time = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task GetOrCreateKeys_EmptyLedger_CreatesOneRandomKey()
    {
        var keys = await _fixture.Open().GetOrCreateKeysAsync(_time, Ct);

        var key = Assert.Single(keys);
        Assert.Matches("^[a-z2-7]{8}$", key.Id);
        Assert.Equal(SigningKey.SecretLength, key.Secret.Length);
        Assert.Contains(key.Secret, b => b != 0);
        Assert.Equal(_time.GetUtcNow(), key.CreatedAt);
    }

    [Fact]
    public async Task GetOrCreateKeys_CalledAgain_ReturnsTheSameKey()
    {
        var ledger = _fixture.Open();
        var first = Assert.Single(await ledger.GetOrCreateKeysAsync(_time, Ct));
        _time.Advance(TimeSpan.FromDays(1));

        var again = Assert.Single(await ledger.GetOrCreateKeysAsync(_time, Ct));

        AssertSameKey(first, again);
    }

    [Fact]
    public async Task GetOrCreateKeys_ConcurrentCallers_ShareOneKey()
    {
        // Half the callers on a second ledger over the same file, as a second process would be.
        var ledgers = new[] { _fixture.Open(), _fixture.Open() };

        var results = await Task.WhenAll(Enumerable.Range(0, 32)
            .Select(i => Task.Run(() => ledgers[i % 2].GetOrCreateKeysAsync(_time, Ct), Ct)));

        var first = Assert.Single(results[0]);
        Assert.All(results, keys => AssertSameKey(first, Assert.Single(keys)));
        Assert.Equal(1L, _fixture.Scalar("SELECT count(*) FROM signing_keys"));
    }

    [Fact]
    public async Task GetOrCreateKeys_AfterReopen_ReturnsThePersistedKey()
    {
        var ledger = _fixture.Open();
        var created = Assert.Single(await ledger.GetOrCreateKeysAsync(_time, Ct));
        ledger.Dispose();

        var reopened = Assert.Single(await _fixture.Open().GetOrCreateKeysAsync(new FakeTimeProvider(_time.GetUtcNow().AddYears(1)), Ct));

        AssertSameKey(created, reopened);
    }

    [Fact]
    public async Task GetOrCreateKeys_SeveralKeys_NewestFirst()
    {
        var ledger = _fixture.Open();
        var original = Assert.Single(await ledger.GetOrCreateKeysAsync(_time, Ct));
        var newer = _time.GetUtcNow().AddDays(30).ToUnixTimeMilliseconds();
        _fixture.Execute($"INSERT INTO signing_keys (id, secret, created_at) VALUES ('rotated2', zeroblob(32), {newer})");

        var keys = await ledger.GetOrCreateKeysAsync(_time, Ct);

        Assert.Equal(["rotated2", original.Id], keys.Select(k => k.Id));
    }

    private static void AssertSameKey(SigningKey expected, SigningKey actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Secret, actual.Secret);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
    }
}
