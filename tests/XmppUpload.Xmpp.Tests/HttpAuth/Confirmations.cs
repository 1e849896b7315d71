using System.Xml.Linq;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.HttpAuth;

namespace XmppUpload.Xmpp.Tests.HttpAuth;

/// <summary>The requests and names of XEP-0070's examples, and checks of the confirm element.</summary>
internal static class Confirmations
{
    public const string TransactionId = "a7374jnjlalasdf82";
    public const string Url = "https://files.shakespeare.lit:9345/missive.html";
    public const string Juliet = "juliet@capulet.com";
    public const string JulietBalcony = "juliet@capulet.com/balcony";

    public static readonly XNamespace HttpAuth = "http://jabber.org/protocol/http-auth";
    public static readonly XNamespace ComponentNs = "jabber:component:accept";

    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);

    public static ConfirmationRequest Request(string jid, string transactionId = TransactionId, string method = "GET") =>
        new(Jid.Parse(jid), transactionId, method, new Uri(Url), AnswerTimeout);

    /// <summary>XEP-0070 section 4.2: an empty confirm element with exactly id, method and url.</summary>
    public static void AssertConfirm(XElement stanza, string transactionId = TransactionId, string method = "GET")
    {
        var confirm = Assert.Single(stanza.Elements(HttpAuth + "confirm"));
        Assert.True(confirm.IsEmpty);
        Assert.Equal(
            [("id", transactionId), ("method", method), ("url", Url)],
            confirm.Attributes().Where(a => !a.IsNamespaceDeclaration).Select(a => (a.Name.LocalName, a.Value)).OrderBy(a => a.LocalName, StringComparer.Ordinal));
        Assert.All(confirm.Attributes().Where(a => !a.IsNamespaceDeclaration), a => Assert.Equal(XNamespace.None, a.Name.Namespace));
    }

    public static string ConfirmXml(string transactionId = TransactionId) =>
        $"<confirm xmlns='http://jabber.org/protocol/http-auth' id='{transactionId}' method='GET' url='{Url}'/>";
}
