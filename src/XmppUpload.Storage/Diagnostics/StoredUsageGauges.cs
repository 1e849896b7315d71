using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using XmppUpload.Core.Accounts;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;

namespace XmppUpload.Storage.Diagnostics;

/// <summary>
/// <c>xmppupload.stored.bytes</c> and <c>xmppupload.stored.files</c> by purpose bucket, over every account. The
/// totals are one aggregate query, so they are read only while something collects the gauges (an exporter), at most
/// once per <see cref="RefreshInterval"/>, in the background: a collection reports the last totals read and never
/// waits for the ledger.
/// </summary>
public sealed partial class StoredUsageGauges
{
    /// <summary>How stale the reported totals may be.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(1);

    private readonly IStorageTotals _totals;
    private readonly TimeProvider _time;
    private readonly ILogger<StoredUsageGauges> _logger;
    private readonly Lock _gate = new();
    private IReadOnlyList<BucketTotal> _last = [];
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;
    private Task? _refreshing;

    public StoredUsageGauges(IMeterFactory meterFactory, IStorageTotals totals, TimeProvider time, ILogger<StoredUsageGauges> logger)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _totals = totals;
        _time = time;
        _logger = logger;
        var meter = meterFactory.Create(StorageTelemetry.Name);
        meter.CreateObservableGauge("xmppupload.stored.bytes", () => Observe(t => t.Bytes), "By", "Bytes of stored files still served, by purpose bucket, over every account (refreshed at most every minute).");
        meter.CreateObservableGauge("xmppupload.stored.files", () => Observe(t => t.Files), "{file}", "Stored files still served, by purpose bucket, over every account (refreshed at most every minute).");
    }

    /// <summary>The refresh in progress, if any (tests wait on it).</summary>
    public Task Refreshing
    {
        get
        {
            lock (_gate)
            {
                return _refreshing ?? Task.CompletedTask;
            }
        }
    }

    private IEnumerable<Measurement<long>> Observe(Func<BucketTotal, long> value)
    {
        IReadOnlyList<BucketTotal> last;
        lock (_gate)
        {
            if (_refreshing is null && _time.GetUtcNow() - _readAt >= RefreshInterval)
            {
                _refreshing = Task.Run(RefreshAsync);
            }

            last = _last;
        }

        // Every bucket is reported, 0 when empty, so a dashboard line drops to zero rather than vanishing.
        foreach (var purpose in Enum.GetValues<Purpose>())
        {
            var total = last.FirstOrDefault(t => t.Purpose == purpose);
            yield return new Measurement<long>(total is null ? 0 : value(total), new KeyValuePair<string, object?>("xmppupload.purpose", PurposeNames.ElementName(purpose)));
        }
    }

    private async Task RefreshAsync()
    {
        try
        {
            var totals = await _totals.GetStoredTotalsAsync(CancellationToken.None);
            lock (_gate)
            {
                _last = totals;
                _readAt = _time.GetUtcNow();
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The ledger being down is reported by health and the storage error counter; the gauges keep their last values.
            LogRefreshFailed(_logger, exception.Message);
            lock (_gate)
            {
                _readAt = _time.GetUtcNow();
            }
        }
        finally
        {
            lock (_gate)
            {
                _refreshing = null;
            }
        }
    }

    [LoggerMessage(EventId = 3901, Level = LogLevel.Debug, Message = "The stored-usage gauges could not read the ledger's totals: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string reason);
}
