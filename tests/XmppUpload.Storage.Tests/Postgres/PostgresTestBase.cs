using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests.Postgres;

/// <summary>A database of its own per test on the collection's server, and a fake clock.</summary>
[Collection(PostgresCollection.Name)]
public abstract class PostgresTestBase : IAsyncLifetime
{
    private readonly PostgresServerFixture _server;
    private PostgresLedgerFixture? _fixture;

    protected PostgresTestBase(PostgresServerFixture server)
    {
        _server = server;
        Time = new FakeTimeProvider();
    }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected FakeTimeProvider Time { get; }

    internal PostgresLedgerFixture Fixture => _fixture ?? throw new InvalidOperationException("InitializeAsync has not run.");

    protected DateTimeOffset Now => Time.GetUtcNow();

    public async ValueTask InitializeAsync() => _fixture = await PostgresLedgerFixture.CreateAsync(_server.Server, Time);

    public async ValueTask DisposeAsync()
    {
        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
