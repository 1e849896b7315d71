using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Ports;
using XmppUpload.Storage;
using XmppUpload.Storage.Sqlite;

namespace XmppUpload.Node.Tests.Keys;

/// <summary>The keys verbs on a node's SQLite data directory.</summary>
public sealed class SqliteKeysVerbTests : KeysVerbContract
{
    private SqliteLedger? _ledger;

    protected override ISigningKeyStore Store => Ledger;

    protected override string[] LedgerArguments => [];

    private SqliteLedger Ledger => _ledger ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public override async ValueTask InitializeAsync()
    {
        _ledger = new SqliteLedger(Options.Create(new StorageOptions { Path = Directory.Path }), NullLogger<SqliteLedger>.Instance);
        await _ledger.MigrateAsync(Ct);
    }

    public override ValueTask DisposeAsync()
    {
        _ledger?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task List_OnALedgerWithoutKeys_SaysSoAndCreatesNone()
    {
        var run = await RunAsync("keys", "list");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("The ledger holds no signing key yet: the first node to start creates one.", Lines(run.StandardOutput)[^1]);
        Assert.Empty(await Store.GetKeysAsync(System, Ct));
    }

    [Fact]
    public async Task Keys_WithoutListOrRotate_ExitsWith2AndPointsAtHelp()
    {
        var run = await RunAsync("keys");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Empty(run.StandardOutput);
        Assert.Contains("XmppUpload.Node help", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsTheKeysVerbAndItsTwoCommands()
    {
        var help = await RunAsync("help");
        var keysHelp = await RunAsync("help", "keys");

        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("keys", help.StandardOutput, StringComparison.Ordinal);
        Assert.True(keysHelp.ExitCode == 0, keysHelp.ToString());
        Assert.Contains("list", keysHelp.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("rotate", keysHelp.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_WithABadConfiguredKey_ExitsWith2AndOneLineNamingIt()
    {
        var run = await RunAsync("keys", "list", "--Tokens:SigningKeys:0:Id=k1");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal(
            "Tokens:SigningKeys:0:Secret of key 'k1' is missing: set at least 32 random bytes in base64 (openssl rand -base64 32).",
            run.StandardError.Trim());
    }
}
