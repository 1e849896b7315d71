using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Core.Slots;
using XmppUpload.Core.Tokens;
using XmppUpload.Storage.Postgres;
using XmppUpload.Testing;
using XmppUpload.Xmpp;
using XmppUpload.Xmpp.Component;

namespace XmppUpload.Interop.Tests;

/// <summary>
/// Several nodes on one PostgreSQL and one real Prosody: one holds the component link at a time through the advisory
/// lock lease, another takes it over when the holder is killed, and XEP-0070 confirmations of a node without the link
/// reach the real user's client through the holder.
/// </summary>
public sealed class ClusterLinkInteropTests
{
    private static readonly Dictionary<string, string> Users = new() { ["alice"] = "alice-password" };

    private static readonly TimeSpan Takeover = TimeSpan.FromSeconds(10);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task ThreeNodes_OneHoldsTheLink_AndAfterAKill9AnotherTakesItWithinTenSeconds()
    {
        await using var postgres = await PostgresServer.StartAsync(Cancellation);
        var database = await postgres.CreateDatabaseAsync(Cancellation);
        await using var prosody = await ProsodyServer.StartAsync(new ProsodyOptions { Users = Users }, Cancellation);
        await SeedLedgerAsync(postgres.ConnectionString(database));
        var ids = new[] { "node-1", "node-2", "node-3" };
        var nodes = await Task.WhenAll(ids.Select(id => NodeProcess.StartAsync(NodeSettings(prosody, postgres.ConnectionString(database), id), waitForComponent: false, cancellationToken: Cancellation)));
        try
        {
            // Exactly one node attaches; the others stand by and name it.
            var holder = await FirstToAttachAsync(nodes);
            var holderId = ids[Array.IndexOf(nodes, holder)];
            var others = nodes.Where(n => n != holder).ToArray();
            foreach (var node in others)
            {
                await node.Process.WaitForOutputAsync(line => line.Contains($"Standby: {holderId} holds the link", StringComparison.Ordinal), TimeSpan.FromSeconds(30), Cancellation);
                Assert.DoesNotContain(NodeProcess.ComponentReadyMarker, node.Process.Output, StringComparison.Ordinal);
                Assert.DoesNotContain("Connecting to the XMPP server", node.Process.Output, StringComparison.Ordinal);
            }

            Assert.Equal((true, "Connected"), await LinkHealthAsync(holder));
            foreach (var node in others)
            {
                Assert.Equal((false, "Standby"), await LinkHealthAsync(node));
            }

            var alice = new SlixmppClient(prosody, "alice", Users["alice"]) { CaFile = prosody.CaCertificatePath };
            using var files = TemporaryDirectory.Create("interop-cluster");
            var path = files.Combine("note.txt");
            await File.WriteAllTextAsync(path, "one link, three nodes", Cancellation);
            var slot = await alice.UploadAsync(new SlixmppUpload { FilePath = path, SlotOnly = true }, cancellationToken: Cancellation);
            Assert.True(slot.ExitCode == 0, $"{slot}\n{holder.Process.Output}");

            // A steady stream of slot requests; the holder dies in the middle of it.
            await using var stream = await alice.StartSlotStreamAsync(prosody.ComponentDomain, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(5), Cancellation);
            await stream.WaitForOutputAsync(line => line.StartsWith("SLOT ", StringComparison.Ordinal) && line.EndsWith(" ok", StringComparison.Ordinal), TimeSpan.FromSeconds(30), Cancellation);

            var clock = Stopwatch.StartNew();
            await ProcessSignals.SendAsync(holder.Process.Id, ProcessSignals.Kill, Cancellation);

            var sentBeforeKill = LastSent(stream.Output);
            var successor = await FirstToAttachAsync(others);
            var linkBack = clock.Elapsed;
            await stream.WaitForOutputAsync(line => SlotOk(line) > sentBeforeKill, Takeover + TimeSpan.FromSeconds(20), Cancellation);
            var requestsBack = clock.Elapsed;
            TestContext.Current.TestOutputHelper?.WriteLine($"After the kill: link back in {linkBack.TotalSeconds:F2} s, slot requests succeed again in {requestsBack.TotalSeconds:F2} s.");

            Assert.True(
                requestsBack < Takeover,
                $"The link was back {linkBack.TotalSeconds:F1} s and slot requests succeeded again {requestsBack.TotalSeconds:F1} s after the kill.\n{successor.Process.Output}");
            var successorId = ids[Array.IndexOf(nodes, successor)];
            var third = others.Single(n => n != successor);
            await third.Process.WaitForOutputAsync(line => line.Contains($"Standby: {successorId} holds the link", StringComparison.Ordinal), TimeSpan.FromSeconds(30), Cancellation);
            Assert.DoesNotContain(NodeProcess.ComponentReadyMarker, third.Process.Output, StringComparison.Ordinal);
            Assert.Equal((true, "Connected"), await LinkHealthAsync(successor));
            Assert.Equal((false, "Standby"), await LinkHealthAsync(third));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = 240_000)]
    public async Task NodeOnStandby_GetsTheRealClientsXep0070AnswersThroughTheLinkHolder()
    {
        await using var postgres = await PostgresServer.StartAsync(Cancellation);
        var database = await postgres.CreateDatabaseAsync(Cancellation);
        await using var prosody = await ProsodyServer.StartAsync(new ProsodyOptions { Users = Users }, Cancellation);
        var holderLogs = new LogSignal();
        var standbyLogs = new LogSignal();
        using var holder = await StartComponentHostAsync(prosody, postgres.ConnectionString(database), "node-a", holderLogs);
        await holder.Services.GetRequiredService<IComponentConnection>().WaitUntilConnectedAsync(Cancellation).WaitAsync(TimeSpan.FromSeconds(60), Cancellation);
        using var standby = await StartComponentHostAsync(prosody, postgres.ConnectionString(database), "node-b", standbyLogs);
        await standbyLogs.WaitForAsync("Standby");
        await using var client = await ConfirmingClient.StartAsync(prosody, "alice", Users["alice"], ["relay-iq-0001", "relay-msg-0001"], denyOthers: true, cancellationToken: Cancellation);
        var confirmer = standby.Services.GetRequiredService<IHttpAuthConfirmer>();
        var url = new Uri("https://localhost/dav/missive.html");

        var byIq = await confirmer.ConfirmAsync(new ConfirmationRequest(Jid.Parse(client.FullJid), "relay-iq-0001", "GET", url, TimeSpan.FromSeconds(30)), Cancellation);
        var byMessage = await confirmer.ConfirmAsync(new ConfirmationRequest(Jid.Parse($"alice@{prosody.Domain}"), "relay-msg-0001", "PUT", url, TimeSpan.FromSeconds(30)), Cancellation);
        var denied = await confirmer.ConfirmAsync(new ConfirmationRequest(Jid.Parse(client.FullJid), "relay-deny-0001", "DELETE", url, TimeSpan.FromSeconds(30)), Cancellation);

        Assert.Equal((ConfirmationOutcome.Confirmed, ConfirmationOutcome.Confirmed, ConfirmationOutcome.Denied), (byIq, byMessage, denied));
        var seen = await client.StopAsync(Cancellation);
        Assert.Equal(
            [("relay-iq-0001", "iq", "confirmed"), ("relay-msg-0001", "message", "confirmed"), ("relay-deny-0001", "iq", "denied")],
            seen.Select(r => (r.GetProperty("id").GetString(), r.GetProperty("via").GetString(), r.GetProperty("answer").GetString())));
        // The node on standby never attached; the holder asked on its behalf, three times.
        Assert.Equal(ComponentLinkState.Standby, standby.Services.GetRequiredService<IComponentConnection>().State);
        Assert.Equal(0, standbyLogs.Count("Authenticated"));
        Assert.Equal(3, holderLogs.Count("ConfirmationServed"));
        Assert.Equal(3, standbyLogs.Count("ConfirmationForwarded"));
        await holder.StopAsync(Cancellation);
        await standby.StopAsync(Cancellation);
    }

    // Nodes of a cluster that has run before find the schema and their signing key in the ledger; seeding both keeps
    // this test about the link rather than about the first start of a ledger.
    private static async Task SeedLedgerAsync(string connectionString)
    {
        await using (var ledger = new PostgresLedger(
            Options.Create(new PostgresLedgerOptions { ConnectionString = connectionString, NodeId = "seed" }),
            TimeProvider.System,
            NullLogger<PostgresLedger>.Instance))
        {
            await ledger.MigrateAsync(Cancellation);
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand(
            "INSERT INTO signing_keys (id, secret, created_at, activates_at) VALUES ('seedkeya', @secret, @now, @now)",
            connection);
        command.Parameters.AddWithValue("secret", RandomNumberGenerator.GetBytes(32));
        command.Parameters.AddWithValue("now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(Cancellation);
    }

    private static Dictionary<string, string> NodeSettings(IXmppTestServer server, string connectionString, string nodeId) => new()
    {
        ["Xmpp:Server"] = $"127.0.0.1:{server.ComponentPort.ToString(CultureInfo.InvariantCulture)}",
        ["Xmpp:Domain"] = server.ComponentDomain,
        ["Xmpp:Secret"] = server.ComponentSecret,
        ["Ledger:Provider"] = "Postgres",
        ["ConnectionStrings:Ledger"] = connectionString,
        ["Ledger:NodeId"] = nodeId,
        ["WebDav:Enabled"] = "false",
    };

    private static async Task<NodeProcess> FirstToAttachAsync(IReadOnlyList<NodeProcess> nodes)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        var attached = nodes.Select(async node =>
        {
            await node.Process.WaitForOutputAsync(line => line.Contains(NodeProcess.ComponentReadyMarker, StringComparison.Ordinal), TimeSpan.FromSeconds(60), stop.Token);
            return node;
        }).ToList();
        var first = await await Task.WhenAny(attached);
        await stop.CancelAsync();
        await ((Task)Task.WhenAll(attached)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return first;
    }

    private static async Task<(bool HoldsLink, string? State)> LinkHealthAsync(NodeProcess node)
    {
        using var http = new HttpClient { BaseAddress = node.PublicUrl, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "health/ready");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, Cancellation);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation));
        var data = json.RootElement.GetProperty("checks").GetProperty("xmpp-component-link").GetProperty("data");
        return (data.GetProperty("holdsLink").GetBoolean(), data.GetProperty("state").GetString());
    }

    private static int LastSent(string output) =>
        output.Split('\n').Select(line => line.Trim()).Where(line => line.StartsWith("SENT ", StringComparison.Ordinal))
            .Select(line => int.Parse(line["SENT ".Length..], CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();

    // The request number of a "SLOT n ok" line, else -1.
    private static int SlotOk(string line)
    {
        var parts = line.Trim().Split(' ');
        return parts is ["SLOT", var number, "ok"] ? int.Parse(number, CultureInfo.InvariantCulture) : -1;
    }

    // The component as a node wires it (AddXmppComponent) on the cluster's lease and bus (AddPostgresLedger), in
    // process, so that the test can call its XEP-0070 confirmer directly; slots come from an in-memory ledger.
    private static async Task<IHost> StartComponentHostAsync(IXmppTestServer server, string connectionString, string nodeId, LogSignal logs)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(NodeSettings(server, connectionString, nodeId).Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)));
        builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        var upload = new UploadOptions();
        var key = new SigningKey("k1", new byte[32], DateTimeOffset.UnixEpoch);
        builder.Services.AddSingleton(upload);
        builder.Services.AddSingleton(new SlotService(new MemoryLedger(), new SlotTokens(() => [key]), new SlotUrls(new Uri("https://localhost/files/")), upload, [server.Domain], TimeProvider.System));
        builder.Services.AddPostgresLedger();
        builder.Services.AddXmppComponent();
        var host = builder.Build();
        await host.StartAsync(Cancellation);
        return host;
    }
}
