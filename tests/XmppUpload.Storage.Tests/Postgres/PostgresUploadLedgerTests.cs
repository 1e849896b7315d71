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
    protected override async ValueTask<ILedgerFixture<PostgresLedger>> CreateFixtureAsync() =>
        await PostgresLedgerFixture.CreateAsync(server.Server, Time);
}
