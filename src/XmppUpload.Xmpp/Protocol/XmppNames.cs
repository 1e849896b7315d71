using System.Xml.Linq;
using XmppUpload.Core.Slots;

namespace XmppUpload.Xmpp.Protocol;

/// <summary>Namespaces and element names of the protocols the component speaks.</summary>
internal static class XmppNames
{
    public const string ComponentNamespace = "jabber:component:accept";
    public const string StreamsNamespace = "http://etherx.jabber.org/streams";
    public const string StreamErrorsNamespace = "urn:ietf:params:xml:ns:xmpp-streams";
    public const string StanzaErrorsNamespace = "urn:ietf:params:xml:ns:xmpp-stanzas";
    public const string DiscoInfoNamespace = "http://jabber.org/protocol/disco#info";
    public const string DiscoItemsNamespace = "http://jabber.org/protocol/disco#items";
    public const string PingNamespace = "urn:xmpp:ping";
    public const string VersionNamespace = "jabber:iq:version";
    public const string DataFormsNamespace = "jabber:x:data";
    public const string HttpUploadNamespace = "urn:xmpp:http:upload:0";
    public const string PurposeNamespace = PurposeNames.Namespace;

    public static readonly XNamespace Component = ComponentNamespace;
    public static readonly XNamespace Streams = StreamsNamespace;
    public static readonly XNamespace StreamErrors = StreamErrorsNamespace;
    public static readonly XNamespace StanzaErrors = StanzaErrorsNamespace;
    public static readonly XNamespace HttpUpload = HttpUploadNamespace;

    public static readonly XName Iq = Component + "iq";
    public static readonly XName Message = Component + "message";
    public static readonly XName Presence = Component + "presence";
    public static readonly XName Handshake = Component + "handshake";
    public static readonly XName StreamError = Streams + "error";
    public static readonly XName Lang = XNamespace.Xml + "lang";
}
