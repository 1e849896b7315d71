using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using XmppUpload.Core.Configuration;
using XmppUpload.Storage.Postgres;

namespace XmppUpload.Storage.Tests.Postgres;

/// <summary>The node bus over LISTEN/NOTIFY on a real PostgreSQL, between two "nodes" of one database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresNodeBusTests(PostgresServerFixture server) : IAsyncLifetime
{
    private const string TestChannel = "xmppupload_test";

    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(30);

    private readonly List<IAsyncDisposable> _owned = [];
    private string? _connectionString;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string ConnectionString => _connectionString ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public async ValueTask InitializeAsync() => _connectionString = await server.Server.CreateDatabaseAsync(Ct);

    [Fact]
    public async Task Message_PublishedByOneNode_ReachesTheSubscriptionsOfEveryNode_AndNoOtherChannel()
    {
        var a = Bus("node-a");
        var b = Bus("node-b");
        var atA = await ReceiveAsync(a, TestChannel);
        var atB = await ReceiveAsync(b, TestChannel);
        var elsewhere = await ReceiveAsync(b, "xmppupload_other");

        await a.PublishAsync(TestChannel, "{\"hello\":\"Grüße\"}", Ct);

        Assert.Equal("{\"hello\":\"Grüße\"}", await atB.ReadAsync(Ct).AsTask().WaitAsync(SafetyTimeout, Ct));
        Assert.Equal("{\"hello\":\"Grüße\"}", await atA.ReadAsync(Ct).AsTask().WaitAsync(SafetyTimeout, Ct));

        // The other channel got nothing: a marker sent after the message arrives first there.
        await a.PublishAsync("xmppupload_other", "marker", Ct);
        Assert.Equal("marker", await elsewhere.ReadAsync(Ct).AsTask().WaitAsync(SafetyTimeout, Ct));
    }

    [Fact]
    public async Task Payload_UpToTheNotifyLimit_IsDelivered_AndALargerOneIsRefusedBeforeSending()
    {
        var a = Bus("node-a");
        var b = Bus("node-b");
        var atB = await ReceiveAsync(b, TestChannel);
        var largest = new string('x', a.MaxPayloadBytes - 2) + "é";

        await a.PublishAsync(TestChannel, largest, Ct);
        var tooLarge = await Assert.ThrowsAsync<ArgumentException>(() => a.PublishAsync(TestChannel, new string('x', a.MaxPayloadBytes - 1) + "é", Ct));
        var badChannel = await Assert.ThrowsAsync<ArgumentException>(() => a.PublishAsync("Robert'); DROP TABLE slots;--", "x", Ct));
        await a.PublishAsync(TestChannel, "after", Ct);

        Assert.Equal(7999, a.MaxPayloadBytes);
        Assert.Equal(largest, await atB.ReadAsync(Ct).AsTask().WaitAsync(SafetyTimeout, Ct));
        Assert.Equal("after", await atB.ReadAsync(Ct).AsTask().WaitAsync(SafetyTimeout, Ct));
        Assert.Contains("8000 bytes", tooLarge.Message, StringComparison.Ordinal);
        Assert.Contains("not a bus channel", badChannel.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListeningSession_Terminated_IsOpenedAgain_AndDeliveryResumes()
    {
        var a = Bus("node-a");
        var logs = new EventSignal<PostgresNodeBus>();
        var b = Bus("node-b", logs);
        var atB = await ReceiveAsync(b, TestChannel);
        await a.PublishAsync(TestChannel, "before", Ct);
        Assert.Equal("before", await atB.ReadAsync(Ct).AsTask().WaitAsync(SafetyTimeout, Ct));

        Assert.Equal(1L, await ScalarAsync(
            $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '{PostgresNodeBus.ListenerApplicationNamePrefix}node-b'"));

        await logs.WaitForAsync(3062);
        await logs.WaitForAsync(3063);
        await a.PublishAsync(TestChannel, "after", Ct);
        Assert.Equal("after", await atB.ReadAsync(Ct).AsTask().WaitAsync(SafetyTimeout, Ct));
        Assert.Equal(1, logs.Count(3062));
    }

    [Fact]
    public async Task DisposedSubscription_ReceivesNothingMore()
    {
        var a = Bus("node-a");
        var b = Bus("node-b");
        var received = Channel.CreateUnbounded<string>();
        var subscription = await b.SubscribeAsync(TestChannel, payload => received.Writer.TryWrite("first " + payload), Ct);
        var second = await ReceiveAsync(b, TestChannel);

        await subscription.DisposeAsync();
        await a.PublishAsync(TestChannel, "m", Ct);

        Assert.Equal("m", await second.ReadAsync(Ct).AsTask().WaitAsync(SafetyTimeout, Ct));
        Assert.False(received.Reader.TryRead(out _));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }
    }

    private PostgresNodeBus Bus(string nodeId, EventSignal<PostgresNodeBus>? logs = null)
    {
        var bus = new PostgresNodeBus(
            Options.Create(new PostgresLedgerOptions { ConnectionString = ConnectionString, NodeId = nodeId }),
            Options.Create(new ClusterOptions { ConnectionCheckInterval = TimeSpan.FromMilliseconds(200) }),
            TimeProvider.System,
            logs ?? new EventSignal<PostgresNodeBus>());
        _owned.Add(bus);
        return bus;
    }

    private async Task<ChannelReader<string>> ReceiveAsync(PostgresNodeBus bus, string channel)
    {
        var received = Channel.CreateUnbounded<string>();
        _owned.Add(await bus.SubscribeAsync(channel, payload => received.Writer.TryWrite(payload), Ct));
        return received.Reader;
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(Ct);
    }
}
