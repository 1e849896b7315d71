using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using XmppUpload.Core.Slots;
using XmppUpload.Core.Tokens;
using XmppUpload.Storage.Postgres;
using XmppUpload.Testing;

namespace XmppUpload.Interop.Tests;

/// <summary>
/// Two real nodes on one PostgreSQL and one S3 bucket, as a cluster runs behind a load balancer: the node receiving an
/// upload is killed (SIGKILL) mid-body, and the client's retry of the same slot on the other node takes the slot over
/// once the dead node's lease lapses, before the slot's deadline. No GET ever serves part of a file.
/// </summary>
public sealed class UploadTakeoverInteropTests
{
    /// <summary>Short, so that the test waits little for the dead node's lease; the nodes renew every second.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task NodeKilledMidUpload_TheRetryOnAnotherNodeTakesTheSlotOverBeforeTheDeadline_AndOnlyItsBytesAreEverServed()
    {
        await using var postgres = await PostgresServer.StartAsync(Cancellation);
        var connectionString = await postgres.CreateDatabaseAsync(Cancellation);
        await using var s3 = await S3rverServer.StartAsync(cancellationToken: Cancellation);

        // The test grants the slot itself, through the ledger, and signs its token with a key it put in the ledger (the
        // nodes load it at start); no XMPP server is needed for what is tested here.
        var key = new SigningKey("takeover", RandomNumberGenerator.GetBytes(SigningKey.SecretLength), DateTimeOffset.UtcNow.AddMinutes(-1));
        var slot = NewSlot(20 * 1024 * 1024 + 11);
        await PrepareLedgerAsync(connectionString, key, slot);
        var token = new SlotTokens(() => [key]).Issue(slot.Id, slot.FileName, slot.Size, null, slot.PutDeadline);

        await using var nodeA = await StartNodeAsync("node-a", connectionString, s3);
        await using var nodeB = await StartNodeAsync("node-b", connectionString, s3);
        using var client = new HttpClient();
        var first = RandomNumberGenerator.GetBytes((int)slot.Size);
        var retried = RandomNumberGenerator.GetBytes((int)slot.Size);

        // Node A takes the slot and receives half of the body; then its process is killed.
        using (var upload = new TcpClient { NoDelay = true })
        {
            await upload.ConnectAsync(IPAddress.Loopback, nodeA.HttpPort, Cancellation);
            var stream = upload.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                $"PUT {UrlOf(nodeA, slot).PathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {token}\r\n"
                + $"Content-Length: {slot.Size}\r\nExpect: 100-continue\r\n\r\n"), Cancellation);
            // The node answers 100 Continue once the ledger has let the upload begin.
            Assert.StartsWith("HTTP/1.1 100", await ReadHeadAsync(stream), StringComparison.Ordinal);
            await stream.WriteAsync(first.AsMemory(0, first.Length / 2), Cancellation);
            await stream.FlushAsync(Cancellation);
            var (state, attempt, holder) = await ReadUploadAsync(connectionString, slot.Id);
            Assert.Equal(("uploading", "node-a"), (state, holder));

            await KillAsync(nodeA);
            await AssertNotServedAsync(client, nodeB, slot);

            // From here until the retry has been answered, GETs go to node B one after another: each must find no file
            // or the whole retried file, never a part of either upload.
            using var stopWatching = new CancellationTokenSource();
            var watcher = WatchGetsAsync(nodeB, slot, retried, stopWatching.Token);

            // The client retries the whole file on the other node, as told by Retry-After, until it is stored.
            var answers = new List<string>();
            while (true)
            {
                Assert.True(DateTimeOffset.UtcNow < slot.PutDeadline, $"no retry succeeded before the deadline: {string.Join(", ", answers)}");
                using var put = new HttpRequestMessage(HttpMethod.Put, UrlOf(nodeB, slot)) { Content = new ByteArrayContent(retried) };
                put.Headers.TryAddWithoutValidation("Authorization", token);
                using var response = await client.SendAsync(put, Cancellation);
                answers.Add(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    break;
                }

                Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync(Cancellation)}\n{nodeB.Process.Output}");
                var retryAfter = response.Headers.RetryAfter?.Delta;
                Assert.NotNull(retryAfter);
                Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), Lease);
                await AssertNotServedAsync(client, nodeB, slot);
                // The dead node's lease runs on real clocks; Retry-After is when the service says it will have lapsed.
                await Task.Delay(retryAfter.Value, Cancellation);
            }

            await stopWatching.CancelAsync();
            Assert.True(await watcher > 0);
            Assert.Contains("took the slot over", nodeB.Process.Output, StringComparison.Ordinal);
            var (storedState, storedAttempt, _) = await ReadUploadAsync(connectionString, slot.Id);
            Assert.Equal("stored", storedState);
            Assert.NotEqual(attempt, storedAttempt);
        }

        using var get = await client.GetAsync(UrlOf(nodeB, slot), Cancellation);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(retried, await get.Content.ReadAsByteArrayAsync(Cancellation));
    }

    [Fact(Timeout = 300_000)]
    public async Task PostgresEndsEveryNodeSessionMidUpload_TheNodeCarriesOnWithoutRestart_AndStoresTheUpload()
    {
        await using var postgres = await PostgresServer.StartAsync(Cancellation);
        var connectionString = await postgres.CreateDatabaseAsync(Cancellation);
        await using var s3 = await S3rverServer.StartAsync(cancellationToken: Cancellation);
        var key = new SigningKey("restart", RandomNumberGenerator.GetBytes(SigningKey.SecretLength), DateTimeOffset.UtcNow.AddMinutes(-1));
        var slot = NewSlot(12 * 1024 * 1024 + 5);
        await PrepareLedgerAsync(connectionString, key, slot);
        var token = new SlotTokens(() => [key]).Issue(slot.Id, slot.FileName, slot.Size, null, slot.PutDeadline);
        await using var node = await StartNodeAsync("node-a", connectionString, s3);
        var body = RandomNumberGenerator.GetBytes((int)slot.Size);

        using var upload = new TcpClient { NoDelay = true };
        await upload.ConnectAsync(IPAddress.Loopback, node.HttpPort, Cancellation);
        var stream = upload.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"PUT {UrlOf(node, slot).PathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {token}\r\n"
            + $"Content-Length: {slot.Size}\r\nExpect: 100-continue\r\n\r\n"), Cancellation);
        Assert.StartsWith("HTTP/1.1 100", await ReadHeadAsync(stream), StringComparison.Ordinal);
        await stream.WriteAsync(body.AsMemory(0, body.Length / 2), Cancellation);

        // What a PostgreSQL restart does to the node's pooled sessions: the server ends every one of them (57P01).
        await using (var admin = new NpgsqlConnection(connectionString))
        {
            await admin.OpenAsync(Cancellation);
            await using var terminate = new NpgsqlCommand(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM ("
                + "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' "
                + "AND pid <> pg_backend_pid() OFFSET 0) AS nodes",
                admin);
            Assert.True((long)(await terminate.ExecuteScalarAsync(Cancellation))! >= 1);
        }

        await stream.WriteAsync(body.AsMemory(body.Length / 2), Cancellation);
        var head = await ReadHeadAsync(stream);
        Assert.True(head.StartsWith("HTTP/1.1 201", StringComparison.Ordinal), $"{head}\n{node.Process.Output}");
        // The next ledger call of the upload met an ended session (a renewal, or the confirmation before the commit).
        Assert.Contains("the ledger did not answer", node.Process.Output, StringComparison.Ordinal);

        using var client = new HttpClient();
        using var get = await client.GetAsync(UrlOf(node, slot), Cancellation);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(body, await get.Content.ReadAsByteArrayAsync(Cancellation));
        Assert.Equal("stored", (await ReadUploadAsync(connectionString, slot.Id)).State);
    }

    private static Slot NewSlot(long size)
    {
        var now = DateTimeOffset.UtcNow;
        return new Slot
        {
            Id = SlotIds.New(),
            Owner = "alice@localhost",
            FileName = "holiday film.bin",
            Size = size,
            Purpose = Purpose.Message,
            CreatedAt = now,
            PutDeadline = now.AddMinutes(5),
        };
    }

    private static async Task PrepareLedgerAsync(string connectionString, SigningKey key, Slot slot)
    {
        await using var ledger = new PostgresLedger(
            Options.Create(new PostgresLedgerOptions { ConnectionString = connectionString, NodeId = "test" }),
            TimeProvider.System,
            NullLogger<PostgresLedger>.Instance);
        await ledger.MigrateAsync(Cancellation);
        await ledger.CreateSlotAsync(slot, Cancellation);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Cancellation);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO signing_keys (id, secret, created_at, activates_at) VALUES (@id, @secret, @at, @at)", connection);
        insert.Parameters.AddWithValue("id", key.Id);
        insert.Parameters.AddWithValue("secret", key.Secret);
        insert.Parameters.AddWithValue("at", key.CreatedAt.ToUnixTimeMilliseconds());
        await insert.ExecuteNonQueryAsync(Cancellation);
    }

    private static Task<NodeProcess> StartNodeAsync(string nodeId, string connectionString, S3rverServer s3) =>
        NodeProcess.StartAsync(
            new Dictionary<string, string>
            {
                // Nothing listens there: the component link keeps retrying, which the HTTP side does not need.
                ["Xmpp:Server"] = $"127.0.0.1:{FreeTcpPort.Get().ToString(CultureInfo.InvariantCulture)}",
                ["Xmpp:Secret"] = "unused",
                ["Ledger:Provider"] = "Postgres",
                ["ConnectionStrings:Ledger"] = connectionString,
                ["Ledger:NodeId"] = nodeId,
                ["WebDav:Enabled"] = "false",
                ["BlobStore:Provider"] = "S3",
                ["BlobStore:S3:ServiceUrl"] = s3.ServiceUrl,
                ["BlobStore:S3:Bucket"] = s3.Bucket,
                ["BlobStore:S3:AccessKey"] = S3rverServer.AccessKey,
                ["BlobStore:S3:SecretKey"] = S3rverServer.SecretKey,
                ["Upload:UploadLease"] = Lease.ToString("c", CultureInfo.InvariantCulture),
            },
            waitForComponent: false,
            cancellationToken: Cancellation);

    private static Uri UrlOf(NodeProcess node, Slot slot) => new SlotUrls(node.PublicUrl).For(slot.Id, slot.FileName);

    /// <summary>The slot's state, upload attempt and uploading node, as the ledger holds them.</summary>
    private static async Task<(string State, string? Attempt, string? Node)> ReadUploadAsync(string connectionString, string slotId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Cancellation);
        await using var select = new NpgsqlCommand("SELECT state, upload_attempt, upload_node FROM slots WHERE id = @id", connection);
        select.Parameters.AddWithValue("id", slotId);
        await using var reader = await select.ExecuteReaderAsync(Cancellation);
        Assert.True(await reader.ReadAsync(Cancellation));
        return (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
    }

    /// <summary>kill -9: the node gets no chance to abort its upload or tell the ledger anything.</summary>
    private static async Task KillAsync(NodeProcess node)
    {
        await ProcessSignals.SendAsync(node.Process.Id, ProcessSignals.Kill, Cancellation);

        await node.Process.WaitForExitAsync(TimeSpan.FromSeconds(10), Cancellation);
    }

    /// <summary>GETs the slot's URL until stopped; returns how many GETs were answered, each 404 or the whole of <paramref name="expected"/>.</summary>
    private static async Task<int> WatchGetsAsync(NodeProcess node, Slot slot, byte[] expected, CancellationToken stop)
    {
        using var client = new HttpClient();
        var answered = 0;
        while (!stop.IsCancellationRequested)
        {
            using var get = await client.GetAsync(UrlOf(node, slot), Cancellation);
            if (get.StatusCode != HttpStatusCode.NotFound)
            {
                Assert.Equal(HttpStatusCode.OK, get.StatusCode);
                Assert.Equal(expected, await get.Content.ReadAsByteArrayAsync(Cancellation));
            }

            answered++;
        }

        return answered;
    }

    private static async Task AssertNotServedAsync(HttpClient client, NodeProcess node, Slot slot)
    {
        using var get = await client.GetAsync(UrlOf(node, slot), HttpCompletionOption.ResponseHeadersRead, Cancellation);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, Cancellation) == 0)
            {
                throw new IOException("The node closed the connection before a whole response head: " + head);
            }

            head.Append((char)one[0]);
        }

        return head.ToString();
    }
}
