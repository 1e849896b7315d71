using System.Xml.Linq;

namespace XmppUpload.Xmpp.Tests.Support;

/// <summary>Builds incoming stanzas as the server routes them, and checks the answers.</summary>
internal static class Stanza
{
    public static readonly XNamespace Component = "jabber:component:accept";
    public static readonly XNamespace Stanzas = "urn:ietf:params:xml:ns:xmpp-stanzas";
    public static readonly XNamespace Upload = "urn:xmpp:http:upload:0";

    public const string Romeo = "romeo@montague.tld/garden";

    /// <summary>Parses a stanza written without a namespace as if it arrived in the component stream.</summary>
    public static XElement Parse(string xml)
    {
        var element = XElement.Parse(xml);
        foreach (var e in element.DescendantsAndSelf().Where(e => e.Name.Namespace == XNamespace.None))
        {
            e.Name = Component + e.Name.LocalName;
        }

        return element;
    }

    public static XElement Iq(string payload, string type = "get", string id = "step_03", string from = Romeo, string to = "upload.montague.tld") =>
        Parse($"<iq type='{type}' id='{id}' from='{from}' to='{to}'>{payload}</iq>");

    public static XElement AssertResult(XElement? response, XElement request)
    {
        Assert.NotNull(response);
        Assert.Equal(Component + "iq", response.Name);
        Assert.Equal("result", (string?)response.Attribute("type"));
        AssertAnswers(response, request);
        return response;
    }

    /// <summary>Checks an IQ error: condition, type, a text in English, and from/to swapped.</summary>
    public static XElement AssertError(XElement? response, XElement request, string condition, string type)
    {
        Assert.NotNull(response);
        Assert.Equal("error", (string?)response.Attribute("type"));
        AssertAnswers(response, request);
        var error = Assert.Single(response.Elements(Component + "error"));
        Assert.Equal(type, (string?)error.Attribute("type"));
        var elements = error.Elements().ToList();
        Assert.Equal(Stanzas + condition, elements[0].Name);
        var text = Assert.Single(error.Elements(Stanzas + "text"));
        Assert.Equal("en", (string?)text.Attribute(XNamespace.Xml + "lang"));
        Assert.False(string.IsNullOrWhiteSpace(text.Value));
        return error;
    }

    public static string Text(XElement error) => error.Element(Stanzas + "text")!.Value;

    private static void AssertAnswers(XElement response, XElement request)
    {
        Assert.Equal((string?)request.Attribute("id"), (string?)response.Attribute("id"));
        Assert.Equal((string?)request.Attribute("to"), (string?)response.Attribute("from"));
        Assert.Equal((string?)request.Attribute("from"), (string?)response.Attribute("to"));
    }
}
