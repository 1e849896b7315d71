using System.Diagnostics;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Slots;
using XmppUpload.Xmpp.Diagnostics;
using XmppUpload.Xmpp.Protocol;

namespace XmppUpload.Xmpp.Handlers;

/// <summary>
/// XEP-0363 section 5: reads a <c>&lt;request/&gt;</c> and its purpose child, lets <see cref="SlotService"/> decide,
/// and answers with the slot's PUT and GET URLs or with the stanza error of the refusal.
/// </summary>
internal sealed class SlotRequestHandler : IIqHandler
{
    private readonly SlotService _slots;
    private readonly UploadOptions _upload;
    private readonly TimeProvider _time;
    private readonly ILogger<SlotRequestHandler> _logger;
    private readonly XmppTelemetry? _telemetry;

    public SlotRequestHandler(SlotService slots, UploadOptions upload, TimeProvider time, ILogger<SlotRequestHandler> logger, XmppTelemetry? telemetry = null)
    {
        _slots = slots;
        _upload = upload;
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
    }

    public XName Payload { get; } = XmppNames.HttpUpload + "request";

    public async ValueTask<XElement> HandleAsync(IqRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.GetTimestamp();
        var (answer, purpose, size, refusal) = await AnswerAsync(request, cancellationToken);
        var outcome = XmppTelemetry.Outcome(refusal);
        if (Activity.Current is { } activity)
        {
            activity.SetTag(XmppTelemetry.PurposeTag, purpose);
            activity.SetTag(XmppTelemetry.OutcomeTag, outcome);
            activity.SetTag("xmppupload.file.size", size);
        }

        _telemetry?.SlotRequestAnswered(purpose, outcome, Stopwatch.GetElapsedTime(started));
        return answer;
    }

    // The answer, with what the metrics and the span say of it: the purpose ("unknown" when the request is unreadable),
    // the size asked for and why it was refused (null when granted).
    private async ValueTask<(XElement Answer, string Purpose, long? Size, SlotRefusal? Refusal)> AnswerAsync(IqRequest request, CancellationToken cancellationToken)
    {
        const string Unknown = "unknown";
        if (!request.IsGet)
        {
            return (Refuse(request, StanzaError.BadRequest("A slot request must be an IQ of type 'get' (XEP-0363 section 5), not 'set'.")), Unknown, null, SlotRefusal.BadRequest);
        }

        if (!Jid.TryParse(request.From, out var requester))
        {
            return (Refuse(request, StanzaError.JidMalformed($"The sender address '{Shorten(request.From)}' is not a valid JID.")), Unknown, null, SlotRefusal.BadRequest);
        }

        var payload = request.Payload;
        var purposes = payload.Elements().Where(e => e.Name.NamespaceName == XmppNames.PurposeNamespace).Take(2).ToList();
        if (purposes.Count > 1)
        {
            return (Refuse(request, StanzaError.BadRequest("A slot request may name only one purpose.")), Unknown, null, SlotRefusal.BadRequest);
        }

        var purpose = purposes.Count == 1 ? purposes[0] : null;
        var parse = SlotRequestReader.Read(
            (string?)payload.Attribute("filename"),
            (string?)payload.Attribute("size"),
            (string?)payload.Attribute("content-type"),
            purpose?.Name.LocalName,
            (string?)purpose?.Attribute("expire-before"),
            _upload,
            _time.GetUtcNow());
        if (parse.Request is not { } slotRequest)
        {
            return (Refuse(request, StanzaError.BadRequest(parse.Error ?? "The slot request is malformed.")), Unknown, null, SlotRefusal.BadRequest);
        }

        var decision = await _slots.RequestAsync(requester, slotRequest, cancellationToken);
        if (decision.Granted is not { } granted)
        {
            var error = SlotDecisionErrors.ToStanzaError(decision);
            Log.SlotRefused(_logger, requester.Bare.ToString(), error.Condition, error.Text);
            return (request.Error(error, echoPayload: true), PurposeNames.ElementName(slotRequest.Purpose), slotRequest.Size, decision.Refusal);
        }

        Log.SlotGranted(_logger, requester.Bare.ToString(), granted.Slot.Id, granted.Slot.Size, PurposeNames.ElementName(granted.Slot.Purpose));
        return (request.Result(Slot(granted)), PurposeNames.ElementName(slotRequest.Purpose), slotRequest.Size, null);
    }

    private XElement Refuse(IqRequest request, StanzaError error)
    {
        Log.SlotRefused(_logger, request.From, error.Condition, error.Text);
        return request.Error(error, echoPayload: true);
    }

    private static XElement Slot(GrantedSlot granted)
    {
        var put = new XElement(XmppNames.HttpUpload + "put", new XAttribute("url", granted.PutUrl.AbsoluteUri));
        foreach (var (name, value) in granted.PutHeaders)
        {
            put.Add(new XElement(XmppNames.HttpUpload + "header", new XAttribute("name", name), value));
        }

        return new XElement(
            XmppNames.HttpUpload + "slot",
            put,
            new XElement(XmppNames.HttpUpload + "get", new XAttribute("url", granted.GetUrl.AbsoluteUri)));
    }

    private static string Shorten(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "...");
}
