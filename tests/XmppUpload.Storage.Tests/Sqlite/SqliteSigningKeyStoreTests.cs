using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.Tests.Sqlite;

/// <summary>The signing-key contract on the SQLite ledger; each store is another ledger on the same file, as another process.</summary>
public sealed class SqliteSigningKeyStoreTests : SigningKeyStoreContract
{
    private readonly LedgerFixture _fixture = new();

    public override ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public override ValueTask DisposeAsync()
    {
        _fixture.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    protected override ISigningKeyStore Open(string node = "node-a") => _fixture.Open();

    protected override long CountKeyRows() => (long)_fixture.Scalar("SELECT count(*) FROM signing_keys")!;

    [Fact]
    public async Task GetKeys_KeyWrittenBeforeMigration4_SignsFromItsCreation()
    {
        // Migration 4 fills activates_at for existing rows; a row that still lacks it (NULL) counts from its creation.
        var created = Time.GetUtcNow().AddDays(-3);
        await _fixture.Open().GetKeysAsync(Time, Ct);
        _fixture.Execute($"INSERT INTO signing_keys (id, secret, created_at) VALUES ('legacy01', zeroblob(32), {created.ToUnixTimeMilliseconds()})");

        var key = Assert.Single(await _fixture.Open().GetKeysAsync(Time, Ct));

        Assert.Equal("legacy01", key.Id);
        Assert.Equal(created, key.ActivatesAt);
        Assert.Null(key.RetiresAt);
    }
}
