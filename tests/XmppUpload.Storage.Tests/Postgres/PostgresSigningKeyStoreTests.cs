using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.Tests.Postgres;

/// <summary>
/// The signing-key contract on the real PostgreSQL: a fresh database per test, each store a ledger with its own
/// connection pool, as a separate node would have.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSigningKeyStoreTests(PostgresServerFixture server) : SigningKeyStoreContract
{
    private PostgresLedgerFixture? _fixture;

    private PostgresLedgerFixture Fixture => _fixture ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public override async ValueTask InitializeAsync() => _fixture = await PostgresLedgerFixture.CreateAsync(server.Server, Time);

    public override async ValueTask DisposeAsync()
    {
        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected override ISigningKeyStore Open(string node = "node-a") => Fixture.Open(node);

    protected override long CountKeyRows() => (long)Fixture.Scalar("SELECT count(*) FROM signing_keys")!;
}
