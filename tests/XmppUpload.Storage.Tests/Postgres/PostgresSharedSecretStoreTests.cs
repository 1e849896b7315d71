using XmppUpload.Core.Ports;
using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresSharedSecretStoreTests(PostgresServerFixture server) : SharedSecretStoreContractTests
{
    private PostgresLedgerFixture? _fixture;

    public override async ValueTask DisposeAsync()
    {
        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    protected override async ValueTask<ISharedSecretStore> OpenAsync()
    {
        _fixture ??= await PostgresLedgerFixture.CreateAsync(server.Server, new FakeTimeProvider());
        return _fixture.Open($"node-{Guid.NewGuid():N}");
    }
}
