using Microsoft.Extensions.Logging.Abstractions;
using XmppUpload.Core.Dav;
using XmppUpload.Storage.Postgres;
using XmppUpload.Storage.Tests.Dav;

namespace XmppUpload.Storage.Tests.Postgres;

/// <summary>
/// The <see cref="IDavStore"/> contract on the cluster's PostgreSQL ledger: a database of its own per test on the
/// collection's server; every store opened is another node (its own ledger and connection pool).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresDavStoreTests(PostgresServerFixture server) : DavStoreContractTests
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

    protected override async ValueTask<IDavStore> OpenStoreAsync()
    {
        _fixture ??= await PostgresLedgerFixture.CreateAsync(server.Server, Time);
        return new PostgresDavStore(_fixture.Open($"node-{Guid.NewGuid():N}"), NullLogger<PostgresDavStore>.Instance);
    }

    protected override Task<IReadOnlySet<string>> FindKnownAsync(IReadOnlyCollection<string> keys) =>
        _fixture!.Open().FindKnownAsync(keys, Ct);
}
