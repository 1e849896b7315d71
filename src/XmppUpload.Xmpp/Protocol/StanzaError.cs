using System.Xml.Linq;

namespace XmppUpload.Xmpp.Protocol;

/// <summary>
/// An RFC 6120 section 8.3 stanza error: a defined condition, its type, a human-readable text (always present here, so
/// that no error reaches a user without an explanation) and optional application-specific elements.
/// </summary>
internal sealed record StanzaError(string Condition, string Type, string Text, IReadOnlyList<XElement> Extensions)
{
    public const string Cancel = "cancel";
    public const string Modify = "modify";
    public const string Auth = "auth";
    public const string Wait = "wait";

    public static StanzaError BadRequest(string text) => new("bad-request", Modify, text, []);

    public static StanzaError Forbidden(string text) => new("forbidden", Auth, text, []);

    public static StanzaError ItemNotFound(string text) => new("item-not-found", Cancel, text, []);

    public static StanzaError JidMalformed(string text) => new("jid-malformed", Modify, text, []);

    public static StanzaError ServiceUnavailable(string text, string type = Cancel) => new("service-unavailable", type, text, []);

    public static StanzaError InternalServerError(string text) => new("internal-server-error", Cancel, text, []);

    public XElement ToElement()
    {
        // RFC 6120 section 8.3.2: the defined condition, then <text/>, then application-specific conditions.
        var error = new XElement(
            XmppNames.Component + "error",
            new XAttribute("type", Type),
            new XElement(XmppNames.StanzaErrors + Condition),
            new XElement(XmppNames.StanzaErrors + "text", new XAttribute(XmppNames.Lang, "en"), Text));
        foreach (var extension in Extensions)
        {
            error.Add(extension);
        }

        return error;
    }
}
