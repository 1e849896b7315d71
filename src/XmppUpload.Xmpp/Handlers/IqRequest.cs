using System.Xml.Linq;
using XmppUpload.Xmpp.Protocol;

namespace XmppUpload.Xmpp.Handlers;

/// <summary>An IQ get or set addressed to the component, checked for id, type, sender and a single payload.</summary>
internal sealed record IqRequest(XElement Stanza, XElement Payload, string Id, bool IsGet, string From, string ComponentJid)
{
    public XElement Result(XElement? payload = null) => Stanzas.Result(Stanza, ComponentJid, payload);

    public XElement Error(StanzaError error, bool echoPayload = false) =>
        Stanzas.Error(Stanza, ComponentJid, error, echoPayload ? Payload : null);

    /// <summary>The answer to a get-only protocol asked with 'set'.</summary>
    public XElement GetOnly(string protocol) =>
        Error(StanzaError.BadRequest($"{protocol} requests must be IQs of type 'get'."));
}
