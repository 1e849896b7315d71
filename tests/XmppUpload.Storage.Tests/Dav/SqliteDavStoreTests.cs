using XmppUpload.Core.Dav;
using XmppUpload.Storage.Dav;
using XmppUpload.Storage.Tests.Sqlite;

namespace XmppUpload.Storage.Tests.Dav;

/// <summary>The <see cref="IDavStore"/> contract on the single node's SQLite ledger.</summary>
public sealed class SqliteDavStoreTests : DavStoreContractTests
{
    private readonly LedgerFixture _fixture = new();
    private readonly List<SqliteDavStore> _stores = [];

    public override ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        _fixture.Dispose();
        return base.DisposeAsync();
    }

    protected override ValueTask<IDavStore> OpenStoreAsync()
    {
        var store = new SqliteDavStore(_fixture.Open());
        _stores.Add(store);
        return ValueTask.FromResult<IDavStore>(store);
    }

    protected override Task<IReadOnlySet<string>> FindKnownAsync(IReadOnlyCollection<string> keys) =>
        _fixture.Open().FindKnownAsync(keys, Ct);
}
