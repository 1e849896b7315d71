using System.Diagnostics;
using System.Diagnostics.Metrics;
using XmppUpload.Core.Accounts;

namespace XmppUpload.Core.Diagnostics;

/// <summary>
/// The retention sweeper's spans (one per sweep, one per batch inside it) and its deletion counter by kind: files
/// expired, reservations lapsed, blobs removed, orphan blobs removed.
/// </summary>
public sealed class SweeperTelemetry
{
    /// <summary>The name of the sweeper's <see cref="ActivitySource"/> and <see cref="Meter"/>.</summary>
    public const string Name = "XmppUpload.Sweeper";

    public const string KindTag = "xmppupload.sweep.kind";

    public static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _deletions;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _failures;

    public SweeperTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(Name);
        _deletions = meter.CreateCounter<long>(
            "xmppupload.sweeper.deletions",
            "{item}",
            "What the retention sweeper removed, by kind: expired (files past retention), lapsed (reservations never uploaded), blobs (blobs of deleted files), orphans (blobs without a ledger row).");
        _duration = meter.CreateHistogram<double>("xmppupload.sweeper.duration", "s", "Time one sweep took.");
        _failures = meter.CreateCounter<long>("xmppupload.sweeper.failures", "{sweep}", "Sweeps that failed (ledger or blob store unreachable); each is retried at the next interval.");
    }

    public void Swept(SweepReport report, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(report);
        _deletions.Add(report.Expired, new KeyValuePair<string, object?>(KindTag, "expired"));
        _deletions.Add(report.LapsedReservations, new KeyValuePair<string, object?>(KindTag, "lapsed"));
        _deletions.Add(report.BlobsRemoved, new KeyValuePair<string, object?>(KindTag, "blobs"));
        _deletions.Add(report.OrphansRemoved, new KeyValuePair<string, object?>(KindTag, "orphans"));
        _duration.Record(elapsed.TotalSeconds);
    }

    public void Failed() => _failures.Add(1);
}
