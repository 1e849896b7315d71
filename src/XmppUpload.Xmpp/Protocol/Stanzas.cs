using System.Xml.Linq;

namespace XmppUpload.Xmpp.Protocol;

/// <summary>Builds IQ responses (RFC 6120 section 8.2.3): same id, 'from' and 'to' swapped.</summary>
internal static class Stanzas
{
    public static XElement Result(XElement request, string fallbackFrom, XElement? payload = null)
    {
        var response = Response(request, "result", fallbackFrom);
        if (payload is not null)
        {
            response.Add(payload);
        }

        return response;
    }

    /// <param name="echo">The original payload to include, as XEP-0363 section 6 does for slot requests.</param>
    public static XElement Error(XElement request, string fallbackFrom, StanzaError error, XElement? echo = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        var response = Response(request, "error", fallbackFrom);
        if (echo is not null)
        {
            response.Add(new XElement(echo));
        }

        response.Add(error.ToElement());
        return response;
    }

    /// <summary>The defined condition of an error stanza (RFC 6120 section 8.3.3): the first child of its error other than text.</summary>
    public static string? ErrorCondition(XElement stanza)
    {
        ArgumentNullException.ThrowIfNull(stanza);
        return stanza.Element(stanza.Name.Namespace + "error")?.Elements().FirstOrDefault(e => e.Name.LocalName != "text")?.Name.LocalName;
    }

    private static XElement Response(XElement request, string type, string fallbackFrom)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new XElement(XmppNames.Iq, new XAttribute("type", type));
        var id = (string?)request.Attribute("id");
        if (id is not null)
        {
            response.SetAttributeValue("id", id);
        }

        // XEP-0114 section 3: everything the component sends carries 'from' and 'to'.
        response.SetAttributeValue("from", (string?)request.Attribute("to") ?? fallbackFrom);
        response.SetAttributeValue("to", (string?)request.Attribute("from"));
        return response;
    }
}
