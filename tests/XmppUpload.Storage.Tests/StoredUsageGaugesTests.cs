using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using XmppUpload.Core.Slots;
using XmppUpload.Storage.Diagnostics;
using XmppUpload.Storage.Tests.Sqlite;
using XmppUpload.Testing;
using static XmppUpload.Storage.Tests.LedgerTestKit;

namespace XmppUpload.Storage.Tests;

public sealed class StoredUsageGaugesTests : IDisposable
{
    private readonly LedgerFixture _fixture = new();
    private readonly FakeTimeProvider _time = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose()
    {
        _services.Dispose();
        _fixture.Dispose();
    }

    [Fact]
    public async Task Gauges_ReportStoredFilesAndBytesByBucket_ReadInTheBackgroundAtMostOncePerInterval()
    {
        var ledger = _fixture.Open();
        var kit = new LedgerTestKit(_time);
        await kit.StoreAsync(ledger, Limits(100 * Size), size: 1500);
        await kit.StoreAsync(ledger, Limits(100 * Size), size: 2500);
        await kit.StoreAsync(ledger, Limits(100 * Size, purpose: Purpose.Profile), size: 700);
        await kit.ReserveAsync(ledger, Limits(100 * Size), size: 9999);
        var factory = _services.GetRequiredService<IMeterFactory>();
        var gauges = new StoredUsageGauges(factory, ledger, _time, NullLogger<StoredUsageGauges>.Instance);

        // The first collection starts the read and reports what it has (nothing yet) without waiting for the ledger.
        var first = Collect(factory);
        Assert.Equal(0, first[("xmppupload.stored.bytes", "message")]);
        await gauges.Refreshing;

        // Only stored files count, not reservations; every bucket is reported, 0 when empty.
        var second = Collect(factory);
        Assert.Equal(4000, second[("xmppupload.stored.bytes", "message")]);
        Assert.Equal(2, second[("xmppupload.stored.files", "message")]);
        Assert.Equal(700, second[("xmppupload.stored.bytes", "profile")]);
        Assert.Equal(0, second[("xmppupload.stored.files", "ephemeral")]);

        // Within the interval the totals are not read again; after it they are.
        await kit.StoreAsync(ledger, Limits(100 * Size), size: 1000);
        Collect(factory);
        Assert.True(gauges.Refreshing.IsCompleted);
        Assert.Equal(4000, Collect(factory)[("xmppupload.stored.bytes", "message")]);
        _time.Advance(StoredUsageGauges.RefreshInterval);
        Collect(factory);
        await gauges.Refreshing;
        Assert.Equal(5000, Collect(factory)[("xmppupload.stored.bytes", "message")]);
    }

    private static Dictionary<(string Instrument, string Purpose), long> Collect(IMeterFactory factory)
    {
        var values = new Dictionary<(string, string), long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Meter.Name == StorageTelemetry.Name)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            values[(instrument.Name, (string)tags.ToArray().Single(t => t.Key == "xmppupload.purpose").Value!)] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }
}
