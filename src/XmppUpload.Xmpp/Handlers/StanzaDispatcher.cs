using System.Diagnostics;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Addressing;
using XmppUpload.Xmpp.Component;
using XmppUpload.Xmpp.Configuration;
using XmppUpload.Xmpp.Diagnostics;
using XmppUpload.Xmpp.HttpAuth;
using XmppUpload.Xmpp.Protocol;

namespace XmppUpload.Xmpp.Handlers;

/// <summary>
/// Decides the answer to each stanza the server routes to the component. IQ gets and sets are checked (RFC 6120
/// section 8.2.3) and go to the handler of their payload; every one of them gets an answer, an error at worst, and a
/// handler that throws gets <c>internal-server-error</c> instead of ending the stream. IQ results and errors complete
/// the requests this service sent. Messages complete the XEP-0070 confirmations this service sent by message; other
/// messages and presence are not served; errors are never answered (RFC 6120 section 8.3.1).
/// </summary>
internal sealed class StanzaDispatcher
{
    private readonly Dictionary<XName, IIqHandler> _handlers;
    private readonly PendingIqs _pending;
    private readonly PendingConfirmations? _confirmations;
    private readonly string _domain;
    private readonly ILogger<StanzaDispatcher> _logger;
    private readonly XmppTelemetry? _telemetry;

    public StanzaDispatcher(
        IEnumerable<IIqHandler> handlers,
        PendingIqs pending,
        IOptions<XmppOptions> options,
        ILogger<StanzaDispatcher> logger,
        PendingConfirmations? confirmations = null,
        XmppTelemetry? telemetry = null)
    {
        _handlers = handlers.ToDictionary(h => h.Payload);
        _pending = pending;
        _confirmations = confirmations;
        _domain = XmppOptions.NormalizeDomain(options.Value.Domain);
        _logger = logger;
        _telemetry = telemetry;
    }

    /// <summary>The stanza to send back, or <c>null</c> when this stanza gets no answer.</summary>
    public async ValueTask<XElement?> RespondAsync(XElement stanza, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stanza);
        var started = Stopwatch.GetTimestamp();
        var (kind, payload) = Describe(stanza);

        // One span per stanza: the name stays low-cardinality (kind and the payload of a served request); who sent it
        // is an attribute, so an operator can find one user's failed request.
        using var activity = XmppTelemetry.Source.StartActivity($"XMPP {kind} {payload}", ActivityKind.Server);
        if (activity is not null)
        {
            activity.SetTag(XmppTelemetry.StanzaTag, kind);
            activity.SetTag(XmppTelemetry.PayloadTag, payload);
            activity.SetTag("xmpp.stanza.id", (string?)stanza.Attribute("id"));
            if (Jid.TryParse((string?)stanza.Attribute("from"), out var sender))
            {
                activity.SetTag("enduser.id", sender.Bare.ToString());
            }
        }

        var response = await RespondCoreAsync(stanza, cancellationToken);
        var condition = response is not null && (string?)response.Attribute("type") == "error" ? Stanzas.ErrorCondition(response) : null;
        if (condition is not null)
        {
            activity?.SetTag(XmppTelemetry.ErrorTypeTag, condition);
            if (condition == "internal-server-error")
            {
                // The requester's mistakes are not the service's errors; only a failure of the service marks the span.
                activity?.SetStatus(ActivityStatusCode.Error, "The handler failed.");
            }
        }

        _telemetry?.StanzaHandled(kind, payload, condition, Stopwatch.GetElapsedTime(started));
        return response;
    }

    // "iq get", "iq result", "message"...; the payload is the qualified name of a request this service serves, else "other".
    private (string Kind, string Payload) Describe(XElement stanza)
    {
        var type = (string?)stanza.Attribute("type");
        if (stanza.Name != XmppNames.Iq)
        {
            return (stanza.Name.LocalName is "message" or "presence" ? stanza.Name.LocalName : "other", "-");
        }

        var kind = type is "get" or "set" or "result" or "error" ? "iq " + type : "iq";
        var child = stanza.Elements().FirstOrDefault();
        return (kind, child is not null && type is "get" or "set" && _handlers.ContainsKey(child.Name) ? child.Name.ToString() : "other");
    }

    private async ValueTask<XElement?> RespondCoreAsync(XElement stanza, CancellationToken cancellationToken)
    {
        if (stanza.Name == XmppNames.Iq)
        {
            return await RespondToIqAsync(stanza, cancellationToken);
        }

        if (stanza.Name == XmppNames.Message && _confirmations is not null && _confirmations.TryComplete(stanza))
        {
            // An answer to a confirmation, including a bounce of one (type 'error'): nothing is sent back.
            return null;
        }

        var from = (string?)stanza.Attribute("from") ?? "(no sender)";
        var type = (string?)stanza.Attribute("type");
        Log.StanzaIgnored(
            _logger,
            stanza.Name.LocalName,
            from,
            type == "error" ? "errors are never answered" : "this service handles no messages or presence");
        return null;
    }

    private async ValueTask<XElement?> RespondToIqAsync(XElement iq, CancellationToken cancellationToken)
    {
        var id = (string?)iq.Attribute("id");
        var type = (string?)iq.Attribute("type");
        var from = (string?)iq.Attribute("from");

        if (type is "result" or "error")
        {
            if (id is null || !_pending.TryComplete(iq))
            {
                Log.IqResponseUnmatched(_logger, type, id ?? "(none)", from ?? "(no sender)");
            }

            return null;
        }

        if (from is null)
        {
            // XEP-0114 section 3: the server stamps 'from' on everything it routes; without it no answer can be addressed.
            Log.IqWithoutSender(_logger, id ?? "(none)");
            return null;
        }

        if (type is not ("get" or "set"))
        {
            return Refuse(iq, StanzaError.BadRequest(type is null
                ? "The IQ has no 'type'; it must be get, set, result or error."
                : $"The IQ type '{Shorten(type)}' is not get, set, result or error."));
        }

        if (string.IsNullOrEmpty(id))
        {
            return Refuse(iq, StanzaError.BadRequest("The IQ has no 'id' (RFC 6120 section 8.1.3)."));
        }

        var payloads = iq.Elements().Take(2).ToList();
        if (payloads.Count != 1)
        {
            return Refuse(iq, StanzaError.BadRequest("An IQ get or set must have exactly one child element (RFC 6120 section 8.2.3)."));
        }

        var payload = payloads[0];
        if (!IsAddressedToService((string?)iq.Attribute("to")))
        {
            return Refuse(iq, StanzaError.ServiceUnavailable($"There is no entity at '{Shorten((string?)iq.Attribute("to") ?? string.Empty)}'; send requests to '{_domain}'."));
        }

        if (!_handlers.TryGetValue(payload.Name, out var handler))
        {
            return Refuse(iq, StanzaError.ServiceUnavailable($"This service does not answer '{Shorten(payload.Name.LocalName)}' requests in '{Shorten(payload.Name.NamespaceName)}'."));
        }

        var request = new IqRequest(iq, payload, id, type == "get", from, (string?)iq.Attribute("to") ?? _domain);
        try
        {
            return await handler.HandleAsync(request, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception)
        {
            // One failing request must not take the stream down; the requester learns that it failed.
            Log.HandlerFailed(_logger, payload.Name.ToString(), id, from, exception);
            return request.Error(StanzaError.InternalServerError("The upload service failed to handle this request; please try again later."));
        }
    }

    private XElement Refuse(XElement iq, StanzaError error)
    {
        Log.IqRefused(_logger, (string?)iq.Attribute("id") ?? "(none)", (string?)iq.Attribute("from") ?? "(no sender)", error.Condition, error.Text);
        return Stanzas.Error(iq, _domain, error);
    }

    // Only the bare service address has entities; a local part or resource names something that does not exist.
    private bool IsAddressedToService(string? to) =>
        to is null || (Jid.TryParse(to, out var jid) && jid.Local is null && jid.Resource is null && jid.Domain == _domain);

    private static string Shorten(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "...");
}
