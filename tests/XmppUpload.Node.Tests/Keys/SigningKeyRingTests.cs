using System.Net;
using System.Security.Cryptography;
using Npgsql;
using XmppUpload.Core.Slots;
using XmppUpload.Core.Tokens;
using XmppUpload.Node.Tests.Support;
using XmppUpload.Testing;

namespace XmppUpload.Node.Tests.Keys;

/// <summary>
/// A node's key ring while its PostgreSQL ledger is down: the database is made to refuse connections (and its open
/// sessions are ended), as when the server is unreachable, and later let back in.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SigningKeyRingTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const int ReloadFailed = 4021;
    private const int ReloadRecovered = 4022;

    private readonly FakeTimeProvider _clock = new();
    private readonly TemporaryDirectory _directory = TemporaryDirectory.Create("node-ring");
    private string _database = string.Empty;
    private KeyNode? _node;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private KeyNode Node => _node ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public async ValueTask InitializeAsync()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync(Ct);
        _database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        _node = await KeyNode.StartAsync(_directory.Path, new Dictionary<string, string?>
        {
            ["Ledger:Provider"] = "Postgres",
            ["ConnectionStrings:Ledger"] = connectionString,
            ["Ledger:NodeId"] = "node-a",
            ["Storage:Path"] = _directory.Path,
        }, _clock);
    }

    public async ValueTask DisposeAsync()
    {
        if (_database.Length > 0)
        {
            await SetLedgerReachableAsync(true);
        }

        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task Reload_WhileTheLedgerIsDown_KeepsTheKeysInUse_AndLogsOncePerFailureStreak()
    {
        var key = Assert.Single(Node.Ring.Keys);
        await SetLedgerReachableAsync(false);

        Assert.False(await Node.Ring.ReloadAsync(Ct));
        Assert.False(await Node.Ring.ReloadAsync(Ct));
        Assert.False(await Node.Ring.ReloadAsync(Ct));

        Assert.Equal(1, Node.Logs.Count(ReloadFailed));
        Assert.Same(key, Assert.Single(Node.Ring.Keys));
        var token = Node.Tokens.Issue("slot", "a.txt", 1, null, _clock.GetUtcNow().AddMinutes(5));
        Assert.Equal(TokenCheck.Valid, Node.Tokens.Check(token, "slot", "a.txt", _clock.GetUtcNow(), out _));

        await SetLedgerReachableAsync(true);
        Assert.True(await Node.Ring.ReloadAsync(Ct));
        Assert.Equal(1, Node.Logs.Count(ReloadRecovered));
        Assert.Contains("after 3 failed attempts", Node.Logs.Entries.Single(e => e.EventId == ReloadRecovered).Message, StringComparison.Ordinal);

        // A new streak is reported again, once.
        await SetLedgerReachableAsync(false);
        Assert.False(await Node.Ring.ReloadAsync(Ct));
        Assert.False(await Node.Ring.ReloadAsync(Ct));
        Assert.Equal(2, Node.Logs.Count(ReloadFailed));
    }

    [Fact]
    public async Task PeriodicReload_WhileTheLedgerIsDown_NeitherStopsNorThrows_AndPicksUpARotationOnceItIsBack()
    {
        var key = Assert.Single(Node.Ring.Keys);
        await SetLedgerReachableAsync(false);

        _clock.Advance(TimeSpan.FromMinutes(1));
        await Node.Logs.WaitForCountAsync(ReloadFailed, 1);
        Assert.Same(key, Assert.Single(Node.Ring.Keys));

        await SetLedgerReachableAsync(true);
        var rotation = await Node.Store.RotateKeysAsync(_clock, KeyRotationPolicy.ForReloadInterval(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)), Ct);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await Node.Logs.WaitForCountAsync(ReloadRecovered, 1);
        Assert.Equal([rotation.Key.Id, key.Id], Node.Ring.Keys.Select(k => k.Id));
    }

    [Fact]
    public async Task PutWithAnUnknownKey_WhileTheLedgerIsDown_IsRefusedWith403_AndTheKeysStay()
    {
        var key = Assert.Single(Node.Ring.Keys);
        var slot = new Slot
        {
            Id = SlotIds.New(),
            Owner = "alice@example.org",
            FileName = "a.txt",
            Size = 5,
            Purpose = Purpose.Message,
            CreatedAt = _clock.GetUtcNow(),
            PutDeadline = DateTimeOffset.FromUnixTimeSeconds(_clock.GetUtcNow().AddMinutes(5).ToUnixTimeSeconds()),
        };
        var forger = new SlotTokens(() => [new SigningKey("forged01", RandomNumberGenerator.GetBytes(SigningKey.SecretLength), _clock.GetUtcNow())], _clock);
        await SetLedgerReachableAsync(false);

        using var response = await Node.PutAsync(slot, "hello"u8.ToArray(), forger.Issue(slot.Id, slot.FileName, slot.Size, null, slot.PutDeadline));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Same(key, Assert.Single(Node.Ring.Keys));
        Assert.Equal(1, Node.Logs.Count(ReloadFailed));
    }

    /// <summary>
    /// Lets the ledger's database take connections again, or refuses them and ends the sessions it has, so that the
    /// node's pooled connections break as they would if the server went away.
    /// </summary>
    private async Task SetLedgerReachableAsync(bool reachable)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(postgres.Server.ConnectionString("postgres")) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Ct);
        await using (var alter = new NpgsqlCommand($"ALTER DATABASE \"{_database}\" WITH ALLOW_CONNECTIONS {(reachable ? "true" : "false")}", connection))
        {
            await alter.ExecuteNonQueryAsync(Ct);
        }

        if (!reachable)
        {
            await using var terminate = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @database", connection);
            terminate.Parameters.AddWithValue("database", _database);
            await terminate.ExecuteNonQueryAsync(Ct);
        }
    }
}
