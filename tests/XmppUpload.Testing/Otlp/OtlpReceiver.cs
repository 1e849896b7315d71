using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace XmppUpload.Testing.Otlp;

/// <summary>
/// An OTLP/HTTP receiver on 127.0.0.1 (the protobuf encoding, which the .NET exporter sends with
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>): it decodes every export request into spans, metric points and
/// log records, and lets a test wait for what it expects.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<OtlpSpan> _spans = [];
    private readonly List<OtlpMetricPoint> _metrics = [];
    private readonly List<OtlpLogRecord> _logs = [];
    private TaskCompletionSource _arrived = NewSignal();

    private OtlpReceiver(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The value for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    public static async Task<OtlpReceiver> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", context => receiver.ReceiveAsync(context, receiver.AddTraces));
        app.MapPost("/v1/metrics", context => receiver.ReceiveAsync(context, receiver.AddMetrics));
        app.MapPost("/v1/logs", context => receiver.ReceiveAsync(context, receiver.AddLogs));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        receiver.Endpoint = new Uri(address);
        return receiver;
    }

    public IReadOnlyList<OtlpSpan> Spans
    {
        get
        {
            lock (_gate)
            {
                return [.. _spans];
            }
        }
    }

    public IReadOnlyList<OtlpMetricPoint> Metrics
    {
        get
        {
            lock (_gate)
            {
                return [.. _metrics];
            }
        }
    }

    public IReadOnlyList<OtlpLogRecord> Logs
    {
        get
        {
            lock (_gate)
            {
                return [.. _logs];
            }
        }
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds over what has arrived, re-checking after each export request;
    /// fails with <paramref name="what"/> when the timeout passes first.
    /// </summary>
    public async Task WaitForAsync(Func<OtlpReceiver, bool> condition, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                arrived = _arrived.Task;
            }

            if (condition(this))
            {
                return;
            }

            try
            {
                await arrived.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No OTLP export showed {what} within {timeout.TotalSeconds} s.");
            }
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task ReceiveAsync(HttpContext context, Action<ProtoMessage> add)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        add(ProtoMessage.Parse(body.ToArray()));
        TaskCompletionSource signal;
        lock (_gate)
        {
            signal = _arrived;
            _arrived = NewSignal();
        }

        signal.SetResult();

        // An empty Export*ServiceResponse: everything was accepted.
        context.Response.ContentType = "application/x-protobuf";
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    // ExportTraceServiceRequest: 1 ResourceSpans { 1 Resource { 1 attributes }, 2 ScopeSpans { 1 scope { 1 name }, 2 Span } }.
    private void AddTraces(ProtoMessage request)
    {
        var spans = new List<OtlpSpan>();
        foreach (var resourceSpans in request.Messages(1))
        {
            var resource = ResourceAttributes(resourceSpans);
            foreach (var scopeSpans in resourceSpans.Messages(2))
            {
                var scope = scopeSpans.Message(1)?.String(1) ?? string.Empty;
                foreach (var span in scopeSpans.Messages(2))
                {
                    var status = span.Message(15);
                    spans.Add(new OtlpSpan(
                        resource,
                        scope,
                        OtlpValues.Hex(span.Bytes(1)),
                        OtlpValues.Hex(span.Bytes(2)),
                        OtlpValues.Hex(span.Bytes(4)),
                        span.String(5) ?? string.Empty,
                        (int)(span.Number(6) ?? 0),
                        OtlpValues.Attributes(span.Messages(9)),
                        (int)(status?.Number(3) ?? 0),
                        status?.String(2)));
                }
            }
        }

        lock (_gate)
        {
            _spans.AddRange(spans);
        }
    }

    // ExportMetricsServiceRequest: 1 ResourceMetrics { 1 Resource, 2 ScopeMetrics { 1 scope, 2 Metric { 1 name, 3 unit,
    // 5 gauge | 7 sum | 9 histogram { 1 data points } } } }.
    private void AddMetrics(ProtoMessage request)
    {
        var points = new List<OtlpMetricPoint>();
        foreach (var resourceMetrics in request.Messages(1))
        {
            var resource = ResourceAttributes(resourceMetrics);
            foreach (var scopeMetrics in resourceMetrics.Messages(2))
            {
                var scope = scopeMetrics.Message(1)?.String(1) ?? string.Empty;
                foreach (var metric in scopeMetrics.Messages(2))
                {
                    var name = metric.String(1) ?? string.Empty;
                    var unit = metric.String(3) ?? string.Empty;
                    foreach (var (type, field) in new[] { ("gauge", 5), ("sum", 7) })
                    {
                        // NumberDataPoint: 7 attributes, 4 as_double, 6 as_int (sfixed64).
                        foreach (var point in metric.Message(field)?.Messages(1) ?? [])
                        {
                            var value = point.Has(4) ? point.Double(4) : (double?)(long?)point.Number(6);
                            points.Add(new OtlpMetricPoint(resource, scope, name, unit, type, OtlpValues.Attributes(point.Messages(7)), value, null, null));
                        }
                    }

                    // HistogramDataPoint: 9 attributes, 4 count, 5 sum.
                    foreach (var point in metric.Message(9)?.Messages(1) ?? [])
                    {
                        points.Add(new OtlpMetricPoint(resource, scope, name, unit, "histogram", OtlpValues.Attributes(point.Messages(9)), null, point.Number(4), point.Double(5)));
                    }
                }
            }
        }

        lock (_gate)
        {
            _metrics.AddRange(points);
        }
    }

    // ExportLogsServiceRequest: 1 ResourceLogs { 1 Resource, 2 ScopeLogs { 1 scope, 2 LogRecord { 2 severity, 5 body,
    // 6 attributes, 9 trace id, 10 span id } } }.
    private void AddLogs(ProtoMessage request)
    {
        var records = new List<OtlpLogRecord>();
        foreach (var resourceLogs in request.Messages(1))
        {
            var resource = ResourceAttributes(resourceLogs);
            foreach (var scopeLogs in resourceLogs.Messages(2))
            {
                var scope = scopeLogs.Message(1)?.String(1) ?? string.Empty;
                foreach (var record in scopeLogs.Messages(2))
                {
                    records.Add(new OtlpLogRecord(
                        resource,
                        scope,
                        (int)(record.Number(2) ?? 0),
                        OtlpValues.Any(record.Message(5)) as string,
                        OtlpValues.Attributes(record.Messages(6)),
                        OtlpValues.Hex(record.Bytes(9)),
                        OtlpValues.Hex(record.Bytes(10))));
                }
            }
        }

        lock (_gate)
        {
            _logs.AddRange(records);
        }
    }

    private static IReadOnlyDictionary<string, object?> ResourceAttributes(ProtoMessage resourceSignal) =>
        OtlpValues.Attributes(resourceSignal.Message(1)?.Messages(1) ?? []);
}
