using System.Xml.Linq;

namespace XmppUpload.Xmpp.HttpAuth;

/// <summary>Names of XEP-0070 (Verifying HTTP Requests via XMPP) and of the XEP-0129 feature advertised with it.</summary>
internal static class HttpAuthNames
{
    /// <summary>XEP-0070 section 9.1, the namespace of <c>&lt;confirm/&gt;</c> and its disco#info feature.</summary>
    public const string Namespace = "http://jabber.org/protocol/http-auth";

    /// <summary>XEP-0129 section 5: the disco#info feature of a WebDAV server that verifies requests through XEP-0070.</summary>
    public const string WebDavFeature = "http://www.xmpp.org/extensions/xep-0129.html#ns";

    public static readonly XName Confirm = XName.Get("confirm", Namespace);
}
