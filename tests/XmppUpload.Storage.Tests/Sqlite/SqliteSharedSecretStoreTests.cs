using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.Tests.Sqlite;

public sealed class SqliteSharedSecretStoreTests : SharedSecretStoreContractTests
{
    private readonly LedgerFixture _fixture = new();

    public override ValueTask DisposeAsync()
    {
        _fixture.Dispose();
        return base.DisposeAsync();
    }

    protected override ValueTask<ISharedSecretStore> OpenAsync() => ValueTask.FromResult<ISharedSecretStore>(_fixture.Open());
}
