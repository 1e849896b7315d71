using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace XmppUpload.Storage.Diagnostics;

/// <summary>
/// Spans and instruments of the ledger and the blob store: every operation is a span (a child of the request, stanza
/// or sweep that made it) and is measured by <c>xmppupload.storage.operation.duration</c>; failures are also counted
/// by <c>xmppupload.storage.errors</c>. Attributes: which store (<c>ledger</c> or <c>blob_store</c>), its provider and
/// the operation.
/// </summary>
public sealed class StorageTelemetry
{
    /// <summary>The name of this component's <see cref="ActivitySource"/> and <see cref="Meter"/>.</summary>
    public const string Name = "XmppUpload.Storage";

    public const string StoreTag = "xmppupload.storage";

    public const string ProviderTag = "xmppupload.storage.provider";

    public const string OperationTag = "xmppupload.storage.operation";

    public static readonly ActivitySource Source = new(Name);

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _errors;

    public StorageTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(Name);
        _duration = meter.CreateHistogram(
            "xmppupload.storage.operation.duration",
            "s",
            "Time of one ledger or blob-store operation, by store, provider, operation and (when it failed) error type.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _errors = meter.CreateCounter<long>(
            "xmppupload.storage.errors",
            "{error}",
            "Ledger and blob-store operations that failed (the store unreachable or refusing), by store, provider, operation and error type.");
    }

    /// <summary>Starts the span of one operation; the caller ends it with <see cref="Ended"/>.</summary>
    public static Activity? Start(string store, string provider, string operation)
    {
        var activity = Source.StartActivity($"{store} {operation}", ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag(StoreTag, store);
            activity.SetTag(ProviderTag, provider);
            activity.SetTag(OperationTag, operation);
        }

        return activity;
    }

    public void Ended(Activity? activity, string store, string provider, string operation, long startedTimestamp, Exception? failure)
    {
        var tags = new TagList { { StoreTag, store }, { ProviderTag, provider }, { OperationTag, operation } };
        if (failure is not null && failure is not OperationCanceledException)
        {
            var errorType = failure.GetType().Name;
            tags.Add("error.type", errorType);
            _errors.Add(1, tags);
            activity?.SetTag("error.type", errorType);
            activity?.SetStatus(ActivityStatusCode.Error, failure.Message);
        }

        _duration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
        activity?.Dispose();
    }
}
