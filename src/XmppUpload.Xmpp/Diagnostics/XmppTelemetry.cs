using System.Diagnostics;
using System.Diagnostics.Metrics;
using XmppUpload.Core.Slots;

namespace XmppUpload.Xmpp.Diagnostics;

/// <summary>
/// The XMPP component's spans and instruments: one span per handled stanza, and the slot-request counter and duration
/// by purpose and outcome. Names follow the OpenTelemetry semantic conventions (durations in seconds, counts with a
/// <c>{unit}</c> annotation); attributes specific to this service are prefixed <c>xmppupload.</c>.
/// </summary>
public sealed class XmppTelemetry
{
    /// <summary>The name of this component's <see cref="ActivitySource"/> and <see cref="Meter"/>.</summary>
    public const string Name = "XmppUpload.Xmpp";

    public const string PurposeTag = "xmppupload.purpose";

    public const string OutcomeTag = "xmppupload.outcome";

    public const string StanzaTag = "xmpp.stanza";

    public const string PayloadTag = "xmpp.payload";

    /// <summary>The semantic conventions' attribute for why an operation failed; here the stanza error condition.</summary>
    public const string ErrorTypeTag = "error.type";

    public static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _slotRequests;
    private readonly Histogram<double> _slotRequestDuration;
    private readonly Histogram<double> _stanzaDuration;

    public XmppTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(Name);
        _slotRequests = meter.CreateCounter<long>(
            "xmppupload.slot.requests",
            "{request}",
            "XEP-0363 slot requests answered, by purpose and outcome (granted, too_large, over_quota, rate_limited, forbidden, bad_request, unavailable, error).");
        _slotRequestDuration = meter.CreateHistogram(
            "xmppupload.slot.request.duration",
            "s",
            "Time from reading a slot request to its answer, by purpose and outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        _stanzaDuration = meter.CreateHistogram(
            "xmppupload.xmpp.stanza.duration",
            "s",
            "Time to handle one stanza routed to the component, by stanza kind, payload and whether it was answered with an error.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
    }

    /// <summary>The outcome names of <see cref="OutcomeTag"/> for slot requests.</summary>
    public static string Outcome(SlotRefusal? refusal) => refusal switch
    {
        null => "granted",
        SlotRefusal.FileTooLarge => "too_large",
        SlotRefusal.ResourceConstraint or SlotRefusal.QuotaFull => "over_quota",
        SlotRefusal.RateLimited => "rate_limited",
        SlotRefusal.Forbidden => "forbidden",
        SlotRefusal.BadRequest => "bad_request",
        SlotRefusal.Unavailable => "unavailable",
        _ => "error",
    };

    public void SlotRequestAnswered(string purpose, string outcome, TimeSpan elapsed)
    {
        var tags = new TagList { { PurposeTag, purpose }, { OutcomeTag, outcome } };
        _slotRequests.Add(1, tags);
        _slotRequestDuration.Record(elapsed.TotalSeconds, tags);
    }

    /// <summary>Records one handled stanza; <paramref name="errorCondition"/> is the stanza error it was answered with, if any.</summary>
    public void StanzaHandled(string kind, string payload, string? errorCondition, TimeSpan elapsed)
    {
        var tags = new TagList { { StanzaTag, kind }, { PayloadTag, payload } };
        if (errorCondition is not null)
        {
            tags.Add(ErrorTypeTag, errorCondition);
        }

        _stanzaDuration.Record(elapsed.TotalSeconds, tags);
    }
}
