using XmppUpload.Storage.Postgres;

namespace XmppUpload.Storage.Tests.Postgres;

/// <summary>
/// Issue 5 (<see cref="AccountConcurrencyLedgerContract{TLedger}"/>) on PostgreSQL: requests spread over three nodes.
/// Three ledgers with their own node ids on one database are three nodes: separate connection pools and no lock in
/// common but PostgreSQL's (the account's row, and the global one).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresAccountConcurrencyTests(PostgresServerFixture server) : AccountConcurrencyLedgerContract<PostgresLedger>
{
    protected override IReadOnlyList<PostgresLedger> OpenSeveralLedgers() =>
        [PostgresFixture.Open("node-a"), PostgresFixture.Open("node-b"), PostgresFixture.Open("node-c")];

    protected override async ValueTask<ILedgerFixture<PostgresLedger>> CreateFixtureAsync() =>
        await PostgresLedgerFixture.CreateAsync(server.Server, Time);

    /// <summary>The fixture as PostgreSQL's, whose ledgers can be opened as other nodes.</summary>
    private PostgresLedgerFixture PostgresFixture => (PostgresLedgerFixture)Fixture;
}
