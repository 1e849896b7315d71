using System.Globalization;
using System.Xml.Linq;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.Slots;
using XmppUpload.Xmpp.Protocol;

namespace XmppUpload.Xmpp.Handlers;

/// <summary>Maps a refused <see cref="SlotDecision"/> to its stanza error, once (XEP-0363 section 6).</summary>
internal static class SlotDecisionErrors
{
    public static StanzaError ToStanzaError(SlotDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (decision.Refusal is not { } refusal)
        {
            throw new ArgumentException("The decision granted a slot.", nameof(decision));
        }

        var (condition, type, fallback) = refusal switch
        {
            SlotRefusal.BadRequest => ("bad-request", StanzaError.Modify, "The slot request is malformed."),
            SlotRefusal.Forbidden => ("forbidden", StanzaError.Auth, "You are not allowed to upload files to this service."),
            SlotRefusal.FileTooLarge => ("not-acceptable", StanzaError.Modify, "The file is too large."),
            // XEP-0363 section 6: a temporary error (quota, rate window) with a retry stamp when known.
            SlotRefusal.ResourceConstraint => ("resource-constraint", StanzaError.Wait, "Your upload quota is reached for now."),
            SlotRefusal.RateLimited => ("resource-constraint", StanzaError.Wait, "You have asked for too many uploads; try again later."),
            // Nothing frees space by itself: waiting does not help, so the type is cancel.
            SlotRefusal.QuotaFull => ("resource-constraint", StanzaError.Cancel, "Your upload quota is full."),
            SlotRefusal.Unavailable => ("service-unavailable", StanzaError.Wait, "The upload service cannot take uploads right now."),
            _ => ("internal-server-error", StanzaError.Wait, "The upload service could not decide the request."),
        };

        var extensions = new List<XElement>();
        if (refusal == SlotRefusal.FileTooLarge && decision.MaxFileSize is { } max)
        {
            extensions.Add(new XElement(
                XmppNames.HttpUpload + "file-too-large",
                new XElement(XmppNames.HttpUpload + "max-file-size", max.ToString(CultureInfo.InvariantCulture))));
        }

        if (decision.RetryAt is { } retryAt)
        {
            // XEP-0363 section 6: the stamp is a XEP-0082 DateTime in UTC.
            extensions.Add(new XElement(XmppNames.HttpUpload + "retry", new XAttribute("stamp", XmppDateTime.Format(retryAt))));
        }

        var text = string.IsNullOrWhiteSpace(decision.Text) ? fallback : decision.Text;
        return new StanzaError(condition, type, text, extensions);
    }
}
