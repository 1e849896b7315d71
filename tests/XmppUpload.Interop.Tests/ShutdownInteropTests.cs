using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using XmppUpload.Testing;

namespace XmppUpload.Interop.Tests;

/// <summary>How a real node stops on SIGTERM (systemd's stop, an orchestrator's) with an upload streaming into it.</summary>
public sealed class ShutdownInteropTests
{
    private const int FileSize = 4 * 1024 * 1024;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = 240_000)]
    public async Task Sigterm_DuringAnUpload_FinishesIt_RefusesNewWork_AndExitsZero()
    {
        await using var server = await XmppTestServers.StartAsync("prosody", NodeFixture.Users, cancellationToken: Cancellation);
        using var data = TemporaryDirectory.Create("shutdown-node-");
        var settings = new Dictionary<string, string>
        {
            ["Xmpp:Server"] = $"127.0.0.1:{server.ComponentPort.ToString(CultureInfo.InvariantCulture)}",
            ["Xmpp:Domain"] = server.ComponentDomain,
            ["Xmpp:Secret"] = server.ComponentSecret,
            ["Node:DrainTimeout"] = "00:01:00",
        };
        var bytes = RandomNumberGenerator.GetBytes(FileSize);
        Slot first;
        var node = await NodeProcess.StartAsync(settings, dataDirectory: data.Path, cancellationToken: Cancellation);
        await using (node)
        {
            var client = new SlixmppClient(server, "alice", NodeFixture.Users["alice"]) { CaFile = server.CaCertificatePath };
            first = await RequestSlotAsync(client, data);
            var second = await RequestSlotAsync(client, data);

            // The first upload sends half of its body, then waits until the node is stopping.
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
            var content = new GatedContent(bytes, FileSize / 2);
            var firstPut = PutAsync(http, first, content);
            await content.FirstPartSent.WaitAsync(TimeSpan.FromSeconds(30), Cancellation);
            await node.Process.WaitForOutputAsync($"PUT {first.SlotId} started", TimeSpan.FromSeconds(30), Cancellation);

            await ProcessSignals.SendAsync(node.Process.Id, ProcessSignals.Terminate, Cancellation);
            await node.Process.WaitForOutputAsync("Stopping: new slots and writes are refused", TimeSpan.FromSeconds(30), Cancellation);

            // The component link is let go at once, while the upload is still in flight (another node could take it).
            await node.Process.WaitForOutputAsync("Closed the link to the XMPP server", TimeSpan.FromSeconds(30), Cancellation);
            Assert.DoesNotContain("Drained:", node.Process.Output, StringComparison.Ordinal);

            // A new upload is refused with 503 and a reason; the balancer sees the node as not ready.
            using (var refused = await PutAsync(http, second, new ByteArrayContent(bytes)))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                Assert.NotNull(refused.Headers.RetryAfter);
                Assert.Contains("shutting down", await refused.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
            }

            using (var ready = await http.GetAsync(new Uri(node.PublicUrl, "health/ready"), Cancellation))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            }

            // The upload in flight finishes and is stored; then the node exits 0 on its own.
            content.SendTheRest();
            using (var stored = await firstPut)
            {
                Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
            }

            Assert.Equal(0, await node.Process.WaitForExitAsync(TimeSpan.FromSeconds(60), Cancellation));
            Assert.Contains("Drained: the 1 writes in flight have finished", node.Process.Output, StringComparison.Ordinal);
        }

        // Restarted on the same data, the node serves exactly the bytes of the upload that finished during the drain.
        await using var restarted = await NodeProcess.StartAsync(settings, dataDirectory: data.Path, cancellationToken: Cancellation);
        using var reader = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
        var served = await reader.GetByteArrayAsync(new Uri(restarted.PublicUrl, first.GetUrl.AbsolutePath.TrimStart('/')), Cancellation);
        Assert.True(bytes.AsSpan().SequenceEqual(served), "the bytes served after the restart differ from the upload");
    }

    private static async Task<Slot> RequestSlotAsync(SlixmppClient client, TemporaryDirectory data)
    {
        var path = data.Combine($"slot-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(path, [], Cancellation);
        var result = await client.UploadAsync(new SlixmppUpload { FilePath = path, Size = FileSize, SlotOnly = true }, cancellationToken: Cancellation);
        Assert.True(result.ExitCode == 0, result.ToString());
        var put = new Uri(result.Json.GetProperty("put_url").GetString()!);
        var headers = result.Json.GetProperty("put_headers").EnumerateObject().ToDictionary(h => h.Name, h => h.Value.GetString()!);
        return new Slot(put, new Uri(result.Json.GetProperty("get_url").GetString()!), headers, put.Segments[^2].TrimEnd('/'));
    }

    private static Task<HttpResponseMessage> PutAsync(HttpClient http, Slot slot, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, slot.PutUrl) { Content = content };
        content.Headers.ContentLength = FileSize;
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        foreach (var (name, value) in slot.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return http.SendAsync(request, Cancellation);
    }

    private sealed record Slot(Uri PutUrl, Uri GetUrl, IReadOnlyDictionary<string, string> Headers, string SlotId);

    /// <summary>A body sent in two parts: the first at once, the rest when the test says so.</summary>
    private sealed class GatedContent(byte[] bytes, int firstPart) : HttpContent
    {
        private readonly TaskCompletionSource _firstPartSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _sendTheRest = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstPartSent => _firstPartSent.Task;

        public void SendTheRest() => _sendTheRest.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(bytes.AsMemory(0, firstPart), cancellationToken);
            await stream.FlushAsync(cancellationToken);
            _firstPartSent.TrySetResult();
            await _sendTheRest.Task.WaitAsync(cancellationToken);
            await stream.WriteAsync(bytes.AsMemory(firstPart), cancellationToken);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return true;
        }
    }
}
