using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Ports;
using XmppUpload.Node.Tests.Support;
using XmppUpload.Storage.Postgres;

namespace XmppUpload.Node.Tests.Keys;

/// <summary>The keys verbs on a cluster's PostgreSQL ledger, configured as the nodes are.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresKeysVerbTests(PostgresFixture postgres) : KeysVerbContract
{
    private PostgresLedger? _ledger;
    private string _connectionString = string.Empty;

    protected override ISigningKeyStore Store => _ledger ?? throw new InvalidOperationException("InitializeAsync has not run.");

    protected override string[] LedgerArguments =>
        ["--Ledger:Provider=Postgres", $"--ConnectionStrings:Ledger={_connectionString}", "--WebDav:Enabled=false"];

    public override async ValueTask InitializeAsync()
    {
        _connectionString = await postgres.Server.CreateDatabaseAsync(Ct);
        _ledger = new PostgresLedger(
            Options.Create(new PostgresLedgerOptions { ConnectionString = _connectionString, NodeId = "test" }),
            System,
            NullLogger<PostgresLedger>.Instance);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_ledger is not null)
        {
            await _ledger.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    [Fact]
    public async Task Verb_OnPostgres_NeedsNoSqliteLedgerInTheDataDirectory()
    {
        await Store.GetOrCreateKeysAsync(System, Ct);

        var run = await RunAsync("keys", "list");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.False(File.Exists(Path.Combine(Directory.Path, "ledger.db")));
    }
}
