using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;

namespace XmppUpload.Http.Diagnostics;

/// <summary>
/// The HTTP side's instruments: bytes uploaded (stored PUTs) and downloaded (GET bodies sent in full), PUT and GET
/// durations by status, and uploads and downloads in flight. Request spans are ASP.NET Core's; the ledger and blob
/// store calls inside them are their own child spans.
/// </summary>
public sealed class HttpTelemetry
{
    /// <summary>The name of this component's <see cref="Meter"/>.</summary>
    public const string Name = "XmppUpload.Http";

    public const string StatusTag = "http.response.status_code";

    public const string ProtocolTag = "xmppupload.protocol";

    private static readonly double[] TransferBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    private static readonly object BodySentKey = new();

    private readonly Counter<long> _uploadedBytes;
    private readonly Counter<long> _downloadedBytes;
    private readonly Histogram<double> _uploadDuration;
    private readonly Histogram<double> _downloadDuration;
    private readonly UpDownCounter<long> _activeUploads;
    private readonly UpDownCounter<long> _activeDownloads;

    public HttpTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(Name);
        _uploadedBytes = meter.CreateCounter<long>("xmppupload.upload.bytes", "By", "Bytes of uploads stored (XEP-0363 PUTs answered 201, WebDAV PUTs answered 201 or 204).");
        _downloadedBytes = meter.CreateCounter<long>("xmppupload.download.bytes", "By", "Bytes of GET bodies sent in full (200 and 206).");
        _uploadDuration = meter.CreateHistogram(
            "xmppupload.upload.duration", "s", "Time from a PUT's headers to its answer, by status.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TransferBuckets });
        _downloadDuration = meter.CreateHistogram(
            "xmppupload.download.duration", "s", "Time from a GET's headers to the end of its body, by status.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TransferBuckets });
        _activeUploads = meter.CreateUpDownCounter<long>("xmppupload.uploads.active", "{upload}", "PUTs in flight on this node.");
        _activeDownloads = meter.CreateUpDownCounter<long>("xmppupload.downloads.active", "{download}", "GETs in flight on this node.");
    }

    private void UploadStarted(string protocol) => _activeUploads.Add(1, new KeyValuePair<string, object?>(ProtocolTag, protocol));

    /// <summary>Ends a PUT; <paramref name="storedBytes"/> is the size stored, or 0 when nothing was.</summary>
    private void UploadEnded(string protocol, int status, long storedBytes, TimeSpan elapsed)
    {
        var tags = new TagList { { ProtocolTag, protocol }, { StatusTag, status } };
        _activeUploads.Add(-1, new KeyValuePair<string, object?>(ProtocolTag, protocol));
        _uploadDuration.Record(elapsed.TotalSeconds, tags);
        if (storedBytes > 0)
        {
            _uploadedBytes.Add(storedBytes, new KeyValuePair<string, object?>(ProtocolTag, protocol));
        }
    }

    private void DownloadStarted(string protocol) => _activeDownloads.Add(1, new KeyValuePair<string, object?>(ProtocolTag, protocol));

    /// <summary>Ends a GET; <paramref name="sentBytes"/> is the body sent in full, or 0 (a HEAD, a 304, a cut-off body).</summary>
    private void DownloadEnded(string protocol, int status, long sentBytes, TimeSpan elapsed)
    {
        var tags = new TagList { { ProtocolTag, protocol }, { StatusTag, status } };
        _activeDownloads.Add(-1, new KeyValuePair<string, object?>(ProtocolTag, protocol));
        _downloadDuration.Record(elapsed.TotalSeconds, tags);
        if (sentBytes > 0)
        {
            _downloadedBytes.Add(sentBytes, new KeyValuePair<string, object?>(ProtocolTag, protocol));
        }
    }

    /// <summary>
    /// Runs one PUT (<paramref name="isPut"/>) or GET/HEAD and records it: in flight while it runs, then its duration by
    /// status and the bytes stored (a PUT answered 201 or 204 stored its promised length) or sent (a GET answered 200 or
    /// 206 that the client did not cut off).
    /// </summary>
    /// <summary>Says that the response body went out whole (every promised byte handed to the server).</summary>
    public static void BodySent(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[BodySentKey] = true;
    }

    public async Task MeasureAsync(HttpContext context, string protocol, bool isPut, Func<Task> handle)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(handle);
        var started = Stopwatch.GetTimestamp();
        if (isPut)
        {
            UploadStarted(protocol);
        }
        else
        {
            DownloadStarted(protocol);
        }

        try
        {
            await handle();
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            var response = context.Response;
            var status = response.StatusCode;
            if (isPut)
            {
                var stored = status is StatusCodes.Status201Created or StatusCodes.Status204NoContent;
                UploadEnded(protocol, status, stored ? context.Request.ContentLength ?? 0 : 0, elapsed);
            }
            else
            {
                // A client that closes its connection as soon as it has the last byte may have aborted the request by
                // the time this runs: a handler that says it sent the whole body is believed first.
                var whole = context.Items.ContainsKey(BodySentKey) || !context.RequestAborted.IsCancellationRequested;
                var sent = whole && HttpMethods.IsGet(context.Request.Method)
                    && status is StatusCodes.Status200OK or StatusCodes.Status206PartialContent
                        ? response.ContentLength ?? 0
                        : 0;
                DownloadEnded(protocol, status, sent, elapsed);
            }
        }
    }
}
