using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using XmppUpload.Core.Cluster;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Ports;
using XmppUpload.Storage.Postgres;
using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests.Postgres;

/// <summary>The component link lease as session-level advisory locks on a real PostgreSQL, held by two "nodes" of one database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLinkLeaseTests(PostgresServerFixture server) : IAsyncLifetime
{
    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(30);

    private static readonly string Name = LinkLeaseName.For("xmpp.montague.tld:5347", "upload.montague.tld");

    private readonly List<IAsyncDisposable> _owned = [];
    private string? _connectionString;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string ConnectionString => _connectionString ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public async ValueTask InitializeAsync() => _connectionString = await server.Server.CreateDatabaseAsync(Ct);

    [Fact]
    public async Task TwoNodes_OnOneName_ExcludeEachOther_AndTheStandbyLearnsWhoHoldsIt()
    {
        var a = Provider("node-a");
        var b = Provider("node-b");

        var first = await a.TryTakeAsync(Name, Ct);
        var second = await b.TryTakeAsync(Name, Ct);
        var again = await b.TryTakeAsync(Name, Ct);

        Assert.NotNull(Own(first.Lease));
        Assert.Equal(Name, first.Lease!.Name);
        Assert.Null(Own(second.Lease));
        Assert.Equal("node-a", second.Holder);
        Assert.Null(Own(again.Lease));
        Assert.Equal(1L, await ScalarAsync(LocksHeld()));
    }

    [Fact]
    public async Task OtherServerOrDomain_IsAnotherLease_WithAnotherKey()
    {
        var otherServer = LinkLeaseName.For("xmpp.capulet.tld:5347", "upload.montague.tld");
        var otherDomain = LinkLeaseName.For("xmpp.montague.tld:5347", "files.montague.tld");
        var a = Provider("node-a");
        var b = Provider("node-b");

        Assert.NotNull(Own((await a.TryTakeAsync(Name, Ct)).Lease));
        Assert.NotNull(Own((await b.TryTakeAsync(otherServer, Ct)).Lease));
        Assert.NotNull(Own((await b.TryTakeAsync(otherDomain, Ct)).Lease));

        Assert.Equal(3, new[] { Name, otherServer, otherDomain }.Select(PostgresLinkLeaseProvider.KeyOf).Distinct().Count());
        // The key is derived from the name alone: every node and every build agrees on it.
        Assert.Equal(PostgresLinkLeaseProvider.KeyOf(Name), PostgresLinkLeaseProvider.KeyOf(LinkLeaseName.For("XMPP.Montague.tld:5347", "upload.montague.tld.")));
    }

    [Fact]
    public async Task Release_FreesTheLeaseAtOnce_ForTheOtherNode_WithoutFiringLost()
    {
        var a = Provider("node-a");
        var b = Provider("node-b");
        var lease = (await a.TryTakeAsync(Name, Ct)).Lease!;
        Assert.Null((await b.TryTakeAsync(Name, Ct)).Lease);

        await lease.DisposeAsync();
        var taken = await b.TryTakeAsync(Name, Ct);

        Assert.NotNull(Own(taken.Lease));
        Assert.False(lease.Lost.IsCancellationRequested);
    }

    [Fact]
    public async Task TerminatedHolderSession_FiresLost_AndTheOtherNodeTakesTheLease()
    {
        var a = Provider("node-a");
        var b = Provider("node-b");
        var lease = Own((await a.TryTakeAsync(Name, Ct)).Lease)!;
        var lost = Fired(lease.Lost);

        Assert.Equal(true, await ScalarAsync(
            $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{PostgresLinkLeaseProvider.ApplicationNamePrefix}node-a' AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory')"));

        await lost.WaitAsync(SafetyTimeout, Ct);
        await WaitUntilFreeAsync();
        Assert.NotNull(Own((await b.TryTakeAsync(Name, Ct)).Lease));
    }

    [Fact]
    public async Task KilledHolderProcess_FreesTheLease_ForTheOtherNode()
    {
        // A real process holds the lock in its own session, as a node would, and is killed with SIGKILL: its kernel
        // closes the socket, PostgreSQL ends the session and frees the lock.
        using var directory = TemporaryDirectory.Create("lease-holder");
        var script = directory.Combine("hold.sql");
        await File.WriteAllTextAsync(
            script,
            string.Create(CultureInfo.InvariantCulture, $"SELECT pg_advisory_lock({PostgresLocks.LinkLeaseClass}, {PostgresLinkLeaseProvider.KeyOf(Name)});\n\\warn LOCKED\nSELECT 1 \\watch 600\n"),
            Ct);
        await using var holder = ExternalProcess.Start(
            Path.Combine(PostgresServer.BinDirectory, "psql"),
            ["-X", "-v", "ON_ERROR_STOP=1", "-f", script, "-d", Conninfo()]);
        await holder.WaitForOutputAsync(line => line.Contains("LOCKED", StringComparison.Ordinal), SafetyTimeout, Ct);
        var b = Provider("node-b");
        Assert.Null((await b.TryTakeAsync(Name, Ct)).Lease);

        await ProcessSignals.SendAsync(holder.Id, ProcessSignals.Kill, Ct);

        await WaitUntilFreeAsync();
        Assert.NotNull(Own((await b.TryTakeAsync(Name, Ct)).Lease));
    }

    [Fact]
    public async Task LeaseSession_AsksPostgresToEndItWhenItsPeerFallsSilent()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(Ct);

        await PostgresClusterConnections.ConfigureSessionAsync(connection, TimeSpan.FromSeconds(1), Ct);

        // Over TCP, PostgreSQL probes a silent client after 4 s, every 1 s, three times: about 7 s, which is more than
        // the 3 s in which a holder notices that it lost its session (see PostgresClusterConnections).
        Assert.Equal(("4", "1", "3", "7000"), (await ShowAsync(connection, "tcp_keepalives_idle"), await ShowAsync(connection, "tcp_keepalives_interval"), await ShowAsync(connection, "tcp_keepalives_count"), await ShowAsync(connection, "tcp_user_timeout")));
    }

    [Fact]
    public async Task AddPostgresLedger_AfterTheEmbeddedStorage_ReplacesTheSingleNodeLeaseAndBus()
    {
        // As the node registers them: the single-node defaults first, then the cluster's.
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Ledger"] = ConnectionString }).Build())
            .AddLogging()
            .AddSingleton<ILinkLeaseProvider, SingleNodeLinkLeaseProvider>()
            .AddSingleton<INodeBus, InProcessNodeBus>()
            .AddPostgresLedger();
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<PostgresLinkLeaseProvider>(provider.GetRequiredService<ILinkLeaseProvider>());
        Assert.IsType<PostgresNodeBus>(provider.GetRequiredService<INodeBus>());
        Assert.Same(provider.GetRequiredService<PostgresNodeBus>(), provider.GetRequiredService<INodeBus>());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }
    }

    private PostgresLinkLeaseProvider Provider(string nodeId)
    {
        var provider = new PostgresLinkLeaseProvider(
            Options.Create(new PostgresLedgerOptions { ConnectionString = ConnectionString, NodeId = nodeId }),
            Options.Create(new ClusterOptions { ConnectionCheckInterval = TimeSpan.FromMilliseconds(200) }),
            TimeProvider.System,
            new EventSignal<PostgresLinkLeaseProvider>());
        _owned.Add(provider);
        return provider;
    }

    private ILinkLease? Own(ILinkLease? lease)
    {
        if (lease is not null)
        {
            _owned.Add(lease);
        }

        return lease;
    }

    private static Task Fired(CancellationToken token)
    {
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => fired.TrySetResult());
        return fired.Task;
    }

    private static string LocksHeld() =>
        string.Create(CultureInfo.InvariantCulture, $"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid::bigint = {PostgresLocks.LinkLeaseClass}");

    // Waits on PostgreSQL's own signal (a blocking lock) for the dead holder's session to end, then lets go.
    private async Task WaitUntilFreeAsync()
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            string.Create(CultureInfo.InvariantCulture, $"SET lock_timeout = '30s'; SELECT pg_advisory_lock({PostgresLocks.LinkLeaseClass}, {PostgresLinkLeaseProvider.KeyOf(Name)}); SELECT pg_advisory_unlock({PostgresLocks.LinkLeaseClass}, {PostgresLinkLeaseProvider.KeyOf(Name)})"),
            connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(Ct);
    }

    // The same database as libpq's psql spells it.
    private string Conninfo()
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        return string.Create(CultureInfo.InvariantCulture, $"host={builder.Host} port={builder.Port} user={builder.Username} dbname={builder.Database}");
    }

    private static async Task<string?> ShowAsync(NpgsqlConnection connection, string setting)
    {
        await using var command = new NpgsqlCommand("SELECT current_setting(@name)", connection);
        command.Parameters.AddWithValue("name", setting);
        return (string?)await command.ExecuteScalarAsync(Ct);
    }
}
