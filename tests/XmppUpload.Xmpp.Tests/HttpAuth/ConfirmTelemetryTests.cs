using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Xmpp.Diagnostics;
using static XmppUpload.Xmpp.Tests.HttpAuth.Confirmations;

namespace XmppUpload.Xmpp.Tests.HttpAuth;

/// <summary>What operators see of XEP-0070 confirmations and of the component link: spans and metrics.</summary>
public sealed class ConfirmTelemetryTests : IDisposable
{
    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(20);

    private readonly List<Activity> _spans = [];
    private readonly ActivityListener _listener;

    public ConfirmTelemetryTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == XmppTelemetry.Name || source.Name == "test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (_spans)
                {
                    _spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task Confirmations_AreSpansUnderTheRequest_AndCountedByOutcomeAndRoute_AndTheLinkIsMeasured()
    {
        await using var host = await ConfirmHost.StartAsync(Token);
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        var measurements = new List<(string Name, double Value, Dictionary<string, object?> Tags)>();
        using var meters = Listen(factory, measurements);
        using var source = new ActivitySource("test");
        using var request = source.StartActivity("WebDAV request");
        Assert.NotNull(request);

        var confirmed = host.Confirmer.ConfirmAsync(Request(JulietBalcony), Token);
        var first = await host.Link!.ReadStanzaAsync(Token);
        await host.Link.SendAsync($"<iq type='result' id='{first.Attribute("id")!.Value}' from='{JulietBalcony}' to='upload.montague.tld'/>", Token);
        Assert.Equal(ConfirmationOutcome.Confirmed, await confirmed.WaitAsync(SafetyTimeout, Token));

        var denied = host.Confirmer.ConfirmAsync(Request(JulietBalcony), Token);
        var second = await host.Link.ReadStanzaAsync(Token);
        await host.Link.SendAsync($"<iq type='error' id='{second.Attribute("id")!.Value}' from='{JulietBalcony}' to='upload.montague.tld'><error type='auth'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>", Token);
        Assert.Equal(ConfirmationOutcome.Denied, await denied.WaitAsync(SafetyTimeout, Token));
        meters.RecordObservableInstruments();

        var spans = Spans().Where(s => s.DisplayName == "XEP-0070 confirm" && s.ParentSpanId == request.SpanId).ToList();
        Assert.Equal(["confirmed", "denied"], spans.Select(s => (string?)s.GetTagItem(XmppTelemetry.OutcomeTag)).Order());
        Assert.All(spans, s => Assert.Equal("iq", s.GetTagItem("xmppupload.http_auth.via")));
        Assert.All(spans, s => Assert.DoesNotContain(s.TagObjects, tag => tag.Value is string text && text.Contains(TransactionId, StringComparison.Ordinal)));

        Assert.Equal(1, Sum(measurements, "xmppupload.http_auth.confirmations", ("xmppupload.outcome", "confirmed")));
        Assert.Equal(1, Sum(measurements, "xmppupload.http_auth.confirmations", ("xmppupload.outcome", "denied")));
        Assert.Equal(2, measurements.Count(m => m.Name == "xmppupload.http_auth.confirmation.duration"));

        // The link's attempt is a root span (the session it opens is not its child) and counted; its state gauge says online.
        var connect = Assert.Single(Spans(), s => s.DisplayName == "XMPP component connect" && (string?)s.GetTagItem("server.address") == host.ServerAddress);
        Assert.Equal("authenticated", connect.GetTagItem(XmppTelemetry.OutcomeTag));
        Assert.Equal(default, connect.ParentSpanId);
        Assert.Equal(1, Sum(measurements, "xmppupload.component.link.state", ("xmppupload.link.state", "online")));
        Assert.Equal(0, Sum(measurements, "xmppupload.component.link.state", ("xmppupload.link.state", "standby")));
    }

    private static MeterListener Listen(IMeterFactory factory, List<(string Name, double Value, Dictionary<string, object?> Tags)> measurements)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            lock (measurements)
            {
                measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
            }
        }

        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
        return listener;
    }

    private static double Sum(List<(string Name, double Value, Dictionary<string, object?> Tags)> measurements, string name, (string Key, string Value) tag)
    {
        lock (measurements)
        {
            return measurements.Where(m => m.Name == name && Equals(m.Tags.GetValueOrDefault(tag.Key), tag.Value)).Sum(m => m.Value);
        }
    }

    private List<Activity> Spans()
    {
        lock (_spans)
        {
            return [.. _spans];
        }
    }
}
