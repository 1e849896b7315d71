using XmppUpload.Storage.Postgres;

namespace XmppUpload.Storage.Tests.Postgres;

/// <summary>
/// The upload rules (<see cref="UploadLedgerContract{TLedger}"/>) on PostgreSQL: a database of its own per test, every
/// ledger with its own connection pool, as the nodes of a cluster have. The ledgers share one node id, so that a new
/// ledger also plays this node's restart; the rules between node ids are in <see cref="PostgresLedgerTests"/>.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresUploadLedgerTests(PostgresServerFixture server) : UploadLedgerContract<PostgresLedger>
{
    private PostgresLedgerFixture? _fixture;

    protected override PostgresLedger OpenLedger() =>
        (_fixture ?? throw new InvalidOperationException("InitializeAsync has not run.")).Open();

    protected override async ValueTask InitializeStoreAsync() =>
        _fixture = await PostgresLedgerFixture.CreateAsync(server.Server, Time);

    protected override async ValueTask DisposeStoreAsync()
    {
        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
        }
    }
}
