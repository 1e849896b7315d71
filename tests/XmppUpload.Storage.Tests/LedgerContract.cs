using XmppUpload.Core.Ports;
using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests;

/// <summary>
/// What every ledger contract class shares: a store of its own per test (<see cref="CreateFixtureAsync"/>, given by the
/// class that runs the contract against one ledger), a fake clock, and the <see cref="LedgerTestKit"/> on that clock.
/// </summary>
public abstract class LedgerContract<TLedger> : IAsyncLifetime
    where TLedger : ILedger, IAccountLedger, ISweepLedger
{
    private ILedgerFixture<TLedger>? _fixture;

    protected LedgerContract() => Kit = new LedgerTestKit(Time);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected FakeTimeProvider Time { get; } = new();

    protected DateTimeOffset Now => Time.GetUtcNow();

    internal LedgerTestKit Kit { get; }

    protected ILedgerFixture<TLedger> Fixture => _fixture ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public async ValueTask InitializeAsync() => _fixture = await CreateFixtureAsync();

    public async ValueTask DisposeAsync()
    {
        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>A new ledger on the test's store, as another node (or this one restarted) would open it.</summary>
    protected TLedger OpenLedger() => Fixture.Open();

    /// <summary>An empty store for one test, whose ledgers take their time from <see cref="Time"/>.</summary>
    protected abstract ValueTask<ILedgerFixture<TLedger>> CreateFixtureAsync();
}
