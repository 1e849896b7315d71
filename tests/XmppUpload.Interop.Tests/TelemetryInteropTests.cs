using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using XmppUpload.Testing;
using XmppUpload.Testing.Otlp;

namespace XmppUpload.Interop.Tests;

/// <summary>
/// What an operator's collector receives from a real node attached to Prosody: the node exports to an OTLP/HTTP
/// receiver started by the test, a real client requests a slot and uploads, and the test decodes what arrives.
/// </summary>
public sealed class TelemetryInteropTests
{
    private static readonly TimeSpan ExportWait = TimeSpan.FromSeconds(60);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = 240_000)]
    public async Task SlotRequestAndUpload_ArriveAsSpansMetricsAndLogs_UnderTheNodesResource()
    {
        await using var receiver = await OtlpReceiver.StartAsync(Cancellation);
        await using var server = await XmppTestServers.StartAsync("prosody", NodeFixture.Users, cancellationToken: Cancellation);
        await using var node = await NodeProcess.StartAsync(
            new Dictionary<string, string>
            {
                ["Xmpp:Server"] = $"127.0.0.1:{server.ComponentPort.ToString(CultureInfo.InvariantCulture)}",
                ["Xmpp:Domain"] = server.ComponentDomain,
                ["Xmpp:Secret"] = server.ComponentSecret,
                ["Node:InstanceId"] = "node-telemetry-1",
            },
            cancellationToken: Cancellation,
            environment: new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.AbsoluteUri.TrimEnd('/'),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment.name=interop",
                // Export quickly, so the test waits seconds rather than the default minute.
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
                ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
            });

        using var file = TemporaryDirectory.Create("telemetry-upload-");
        var path = file.Combine("photo.jpg");
        await File.WriteAllBytesAsync(path, RandomNumberGenerator.GetBytes(150_000), Cancellation);
        var client = new SlixmppClient(server, "alice", NodeFixture.Users["alice"]) { CaFile = server.CaCertificatePath };
        var upload = await client.UploadAsync(new SlixmppUpload { FilePath = path, ContentType = "image/jpeg" }, cancellationToken: Cancellation);
        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Equal(201, upload.Json.GetProperty("put_status").GetInt32());

        // A balancer's probe: measured, but not traced (it would bury everything else).
        using (var http = new HttpClient())
        {
            using var ready = await http.GetAsync(new Uri(node.PublicUrl, "health/ready"), Cancellation);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        // The slot request's span: a server span of the XMPP component with the purpose, size and outcome.
        await receiver.WaitForAsync(r => SlotSpan(r) is not null, "the slot request's span", ExportWait, Cancellation);
        var slotSpan = SlotSpan(receiver)!;
        Assert.Equal(OtlpSpan.KindServer, slotSpan.Kind);
        Assert.Equal("message", slotSpan["xmppupload.purpose"]);
        Assert.Equal(150_000L, slotSpan["xmppupload.file.size"]);
        Assert.Equal("alice@localhost", slotSpan["enduser.id"]);

        // The PUT's span: ASP.NET Core's request span, answered 201.
        await receiver.WaitForAsync(r => PutSpan(r) is not null, "the PUT's request span", ExportWait, Cancellation);
        var putSpan = PutSpan(receiver)!;
        Assert.Equal(OtlpSpan.KindServer, putSpan.Kind);
        Assert.Equal("PUT /{slotId}/{fileName}", putSpan.Name);
        Assert.Equal("/{slotId}/{fileName}", putSpan["http.route"]);

        // Inside the PUT's span, the blob store's write is a child span, measured by provider and operation.
        await receiver.WaitForAsync(
            r => r.Spans.Any(s => s.Scope == "XmppUpload.Storage" && s.Name == "blob_store write" && s.ParentSpanId == putSpan.SpanId && s["xmppupload.blob.committed"] is true)
                && r.Metrics.Any(m => m.Name == "xmppupload.storage.operation.duration" && (string?)m["xmppupload.storage"] == "blob_store" && (string?)m["xmppupload.storage.provider"] == "filesystem" && (string?)m["xmppupload.storage.operation"] == "write"),
            "the blob store's write span under the PUT and its duration",
            ExportWait,
            Cancellation);

        // The component link: its connection attempt's span, the attempt counted by outcome, the state gauge online;
        // and the sweep the node runs at start, with its duration.
        await receiver.WaitForAsync(
            r => r.Spans.Any(s => s.Name == "XMPP component connect" && (string?)s["xmppupload.outcome"] == "authenticated" && s.ParentSpanId.Length == 0)
                && r.Metrics.Any(m => m.Name == "xmppupload.component.link.attempts" && (string?)m["xmppupload.outcome"] == "authenticated" && m.Value >= 1)
                && r.Metrics.Any(m => m.Name == "xmppupload.component.link.state" && (string?)m["xmppupload.link.state"] == "online" && m.Value == 1)
                && r.Metrics.Any(m => m.Name == "xmppupload.component.link.state" && (string?)m["xmppupload.link.state"] == "standby" && m.Value == 0)
                && r.Spans.Any(s => s.Scope == "XmppUpload.Sweeper" && s.Name == "sweep")
                && r.Metrics.Any(m => m.Name == "xmppupload.sweeper.duration" && m.Count >= 1)
                && r.Metrics.Any(m => m.Name == "xmppupload.stored.bytes" && (string?)m["xmppupload.purpose"] == "message"),
            "the component link's and the sweeper's spans and metrics",
            ExportWait,
            Cancellation);

        // Every signal carries the node's resource: the default service name, the configured stable instance id and
        // the attributes of OTEL_RESOURCE_ATTRIBUTES.
        foreach (var resource in new[] { slotSpan.Resource, putSpan.Resource })
        {
            Assert.Equal("xmppupload", resource["service.name"]);
            Assert.Equal("node-telemetry-1", resource["service.instance.id"]);
            Assert.Equal("interop", resource["deployment.environment.name"]);
        }

        // Metrics: the slot-request counter by purpose and outcome, and ASP.NET Core's request duration in seconds.
        await receiver.WaitForAsync(
            r => r.Metrics.Any(m => m.Name == "xmppupload.slot.requests" && (string?)m["xmppupload.outcome"] == "granted" && (string?)m["xmppupload.purpose"] == "message" && m.Value >= 1)
                && r.Metrics.Any(m => m.Name == "http.server.request.duration" && m.Unit == "s" && m.Count >= 1),
            "the slot-request counter and the HTTP request duration",
            ExportWait,
            Cancellation);
        // Bytes uploaded and downloaded (the client reads its file back once), with their durations, in bytes and seconds.
        await receiver.WaitForAsync(
            r => r.Metrics.Any(m => m.Name == "xmppupload.upload.bytes" && m.Unit == "By" && m.Value == 150_000)
                && r.Metrics.Any(m => m.Name == "xmppupload.download.bytes" && m.Unit == "By" && m.Value >= 150_000)
                && r.Metrics.Any(m => m.Name == "xmppupload.upload.duration" && m.Unit == "s" && m.Count == 1 && m["http.response.status_code"] is 201L)
                && r.Metrics.Any(m => m.Name == "xmppupload.uploads.active" && m.Value == 0),
            "the upload and download byte counters and durations",
            ExportWait,
            Cancellation);
        var counter = receiver.Metrics.First(m => m.Name == "xmppupload.slot.requests");
        Assert.Equal("{request}", counter.Unit);
        Assert.Equal("node-telemetry-1", counter.Resource["service.instance.id"]);

        // Logs: the line that records the grant arrives with the trace and span of the slot request.
        await receiver.WaitForAsync(
            r => r.Logs.Any(l => l.TraceId == slotSpan.TraceId && l.Body is not null && l.Body.Contains("granted", StringComparison.OrdinalIgnoreCase)),
            "the grant's log record in the slot request's trace",
            ExportWait,
            Cancellation);
        Assert.Contains(receiver.Logs, l => l.TraceId == slotSpan.TraceId && l.SpanId == slotSpan.SpanId);

        // By now the probe's trace would have been exported with the others: neither it nor its storage calls are there.
        Assert.DoesNotContain(receiver.Spans, s => (s["url.path"] as string)?.StartsWith("/health", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(receiver.Spans, s => s.Scope == "XmppUpload.Storage" && s.ParentSpanId.Length == 0);
    }

    private static OtlpSpan? SlotSpan(OtlpReceiver receiver) =>
        receiver.Spans.FirstOrDefault(s => s.Scope == "XmppUpload.Xmpp" && (string?)s["xmppupload.outcome"] == "granted");

    private static OtlpSpan? PutSpan(OtlpReceiver receiver) =>
        receiver.Spans.FirstOrDefault(s => s.Scope == "Microsoft.AspNetCore" && HttpMethod(s) == "PUT" && StatusCode(s) == 201);

    private static string? HttpMethod(OtlpSpan span) => span["http.request.method"] as string;

    private static long? StatusCode(OtlpSpan span) => span["http.response.status_code"] as long?;
}
