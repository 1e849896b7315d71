using System.Diagnostics;
using System.Diagnostics.Metrics;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Core.Slots;
using XmppUpload.Xmpp.Component;

namespace XmppUpload.Xmpp.Diagnostics;

/// <summary>
/// The XMPP component's spans and instruments: one span per handled stanza, and the slot-request counter and duration
/// by purpose and outcome. Names follow the OpenTelemetry semantic conventions (durations in seconds, counts with a
/// <c>{unit}</c> annotation); attributes specific to this service are prefixed <c>xmppupload.</c>.
/// </summary>
internal sealed class XmppTelemetry
{
    /// <summary>The name of this component's <see cref="ActivitySource"/> and <see cref="Meter"/>.</summary>
    public const string Name = "XmppUpload.Xmpp";

    public const string PurposeTag = "xmppupload.purpose";

    public const string OutcomeTag = "xmppupload.outcome";

    public const string LinkStateTag = "xmppupload.link.state";

    public const string StanzaTag = "xmpp.stanza";

    public const string PayloadTag = "xmpp.payload";

    /// <summary>The semantic conventions' attribute for why an operation failed; here the stanza error condition.</summary>
    public const string ErrorTypeTag = "error.type";

    public static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _slotRequests;
    private readonly Histogram<double> _slotRequestDuration;
    private readonly Histogram<double> _stanzaDuration;
    private readonly Counter<long> _linkAttempts;
    private readonly Counter<long> _linkReconnects;
    private readonly Counter<long> _confirmations;
    private readonly Histogram<double> _confirmationDuration;

    public XmppTelemetry(IMeterFactory meterFactory, ComponentConnection? connection = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(Name);
        if (connection is not null)
        {
            meter.CreateObservableGauge(
                "xmppupload.component.link.state",
                () => LinkStates.Select(state => new Measurement<int>(connection.State == state ? 1 : 0, new KeyValuePair<string, object?>(LinkStateTag, StateName(state)))),
                "{state}",
                "1 for the component link's current state on this node (online, standby, connecting, waiting, stopped), 0 for the others.");
        }

        _linkAttempts = meter.CreateCounter<long>(
            "xmppupload.component.link.attempts",
            "{attempt}",
            "Connection attempts of the component link, by how they ended (authenticated, wrong_secret, connect_failed, stream_error, lost).");
        _linkReconnects = meter.CreateCounter<long>(
            "xmppupload.component.link.reconnects",
            "{attempt}",
            "Connection attempts after a link that failed or dropped (not the first of the process, nor a takeover from standby).");
        _confirmations = meter.CreateCounter<long>(
            "xmppupload.http_auth.confirmations",
            "{confirmation}",
            "XEP-0070 confirmations asked, by outcome (confirmed, denied, no_answer, unavailable) and how (iq, message, relayed).");
        _confirmationDuration = meter.CreateHistogram(
            "xmppupload.http_auth.confirmation.duration",
            "s",
            "Time from asking a user to confirm an HTTP request to the answer (or the timeout), by outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120] });
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

    private static readonly ComponentLinkState[] LinkStates = Enum.GetValues<ComponentLinkState>();

    public static string StateName(ComponentLinkState state) => state switch
    {
        ComponentLinkState.Connected => "online",
        ComponentLinkState.Standby => "standby",
        ComponentLinkState.Connecting => "connecting",
        ComponentLinkState.WaitingToReconnect => "waiting",
        _ => "stopped",
    };

    public static string OutcomeName(ConfirmationOutcome outcome) => outcome switch
    {
        ConfirmationOutcome.Confirmed => "confirmed",
        ConfirmationOutcome.Denied => "denied",
        ConfirmationOutcome.NoAnswer => "no_answer",
        _ => "unavailable",
    };

    /// <summary>
    /// Starts the span of one connection attempt. It is not made the current activity: the session that follows lives
    /// for hours, and the stanzas it carries are not its children.
    /// </summary>
    public static Activity? StartConnectAttempt(string server, string domain)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        var activity = Source.StartActivity("XMPP component connect", ActivityKind.Client);
        Activity.Current = previous;
        activity?.SetTag("server.address", server);
        activity?.SetTag("xmpp.component.domain", domain);
        return activity;
    }

    /// <summary>Ends a connection attempt's span and counts it; <paramref name="reconnect"/> when it follows a failure.</summary>
    public void ConnectAttemptEnded(Activity? activity, string outcome, bool reconnect)
    {
        if (activity is not null)
        {
            activity.SetTag(OutcomeTag, outcome);
            if (outcome != "authenticated")
            {
                activity.SetStatus(ActivityStatusCode.Error, outcome);
            }

            activity.Stop();
        }

        _linkAttempts.Add(1, new KeyValuePair<string, object?>(OutcomeTag, outcome));
        if (reconnect)
        {
            _linkReconnects.Add(1);
        }
    }

    public void ConfirmationEnded(ConfirmationOutcome outcome, string how, TimeSpan elapsed)
    {
        var tags = new TagList { { OutcomeTag, OutcomeName(outcome) }, { "xmppupload.http_auth.via", how } };
        _confirmations.Add(1, tags);
        _confirmationDuration.Record(elapsed.TotalSeconds, tags);
    }
}
