using XmppUpload.Storage.Postgres;

namespace XmppUpload.Storage.Tests.Postgres;

/// <summary>
/// The account rules (<see cref="AccountLedgerContract{TLedger}"/>) on PostgreSQL: a database of its own per test, every
/// ledger with its own connection pool; the same rules spread over several nodes are in
/// <see cref="PostgresAccountConcurrencyTests"/>.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresAccountTests(PostgresServerFixture server) : AccountLedgerContract<PostgresLedger>
{
    protected override async ValueTask<ILedgerFixture<PostgresLedger>> CreateFixtureAsync() =>
        await PostgresLedgerFixture.CreateAsync(server.Server, Time);
}
