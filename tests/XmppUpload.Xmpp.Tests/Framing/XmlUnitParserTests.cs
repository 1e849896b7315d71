using System.Buffers;
using System.Text;
using System.Xml.Linq;
using XmppUpload.Xmpp.Framing;

namespace XmppUpload.Xmpp.Tests.Framing;

public sealed class XmlUnitParserTests
{
    private static readonly StreamHeader ComponentHeader = XmlUnitParser.ParseHeader(Seq(
        "<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:component:accept' from='upload.montague.tld' id='3BF96D32' xml:lang='en'>"));

    [Fact]
    public void Header_OfTheServer_GivesIdFromAndNamespaces()
    {
        Assert.Equal("3BF96D32", ComponentHeader.Id);
        Assert.Equal("upload.montague.tld", ComponentHeader.From);
        Assert.Equal("en", ComponentHeader.Language);
        Assert.Contains(new KeyValuePair<string, string>("stream", "http://etherx.jabber.org/streams"), ComponentHeader.Namespaces);
        Assert.Contains(new KeyValuePair<string, string>(string.Empty, "jabber:component:accept"), ComponentHeader.Namespaces);
    }

    [Theory]
    [InlineData("<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:client' id='1'>")]
    [InlineData("<stream:stream xmlns:stream='urn:example:other' xmlns='jabber:component:accept' id='1'>")]
    [InlineData("<stream xmlns='jabber:component:accept' id='1'>")]
    public void Header_WithWrongNamespaces_IsInvalidNamespace(string header)
    {
        var exception = Assert.Throws<XmppStreamException>(() => XmlUnitParser.ParseHeader(Seq(header)));

        Assert.Equal(StreamErrorCondition.InvalidNamespace, exception.Condition);
    }

    [Fact]
    public void Header_DeclaringAnotherEncoding_IsUnsupportedEncoding()
    {
        var exception = Assert.Throws<XmppStreamException>(() => XmlUnitParser.ParseHeader(Seq(
            "<?xml version='1.0' encoding='ISO-8859-1'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:component:accept' id='1'>")));

        Assert.Equal(StreamErrorCondition.UnsupportedEncoding, exception.Condition);
    }

    [Fact]
    public void Stanza_InheritsTheStreamNamespacesAndLanguage()
    {
        var iq = XmlUnitParser.ParseStanza(Seq("<iq type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq>"), ComponentHeader);
        var error = XmlUnitParser.ParseStanza(Seq("<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>"), ComponentHeader);

        Assert.Equal(XName.Get("iq", "jabber:component:accept"), iq.Name);
        Assert.Equal(XName.Get("ping", "urn:xmpp:ping"), Assert.Single(iq.Elements()).Name);
        Assert.Equal("en", (string?)iq.Attribute(XNamespace.Xml + "lang"));
        Assert.Equal(XName.Get("error", "http://etherx.jabber.org/streams"), error.Name);
    }

    [Fact]
    public void Stanza_SplitAcrossSegmentsInsideACharacter_DecodesIt()
    {
        var bytes = Bytes("<message><body>très 😀</body></message>");
        var split = Array.IndexOf(bytes, (byte)0xF0) + 2;

        var message = XmlUnitParser.ParseStanza(Support.Segments.Create([bytes[..split], bytes[split..]]), ComponentHeader);

        Assert.Equal("très 😀", message.Value);
    }

    [Theory]
    [InlineData("<iq><query></iq>")]
    [InlineData("<iq a='1' a='2'/>")]
    [InlineData("<undeclared:iq/>")]
    [InlineData("<message><body>&#0;</body></message>")]
    public void Stanza_NotWellFormed_IsNotWellFormed(string stanza)
    {
        var exception = Assert.Throws<XmppStreamException>(() => XmlUnitParser.ParseStanza(Seq(stanza), ComponentHeader));

        Assert.Equal(StreamErrorCondition.NotWellFormed, exception.Condition);
    }

    [Fact]
    public void Stanza_WithInvalidUtf8_IsUnsupportedEncoding()
    {
        byte[] bytes = [.. Bytes("<message><body>"), 0xC3, 0x28, .. Bytes("</body></message>")];

        var exception = Assert.Throws<XmppStreamException>(() => XmlUnitParser.ParseStanza(new ReadOnlySequence<byte>(bytes), ComponentHeader));

        Assert.Equal(StreamErrorCondition.UnsupportedEncoding, exception.Condition);
    }

    [Fact]
    public void Stanza_WithDoctype_IsRefusedByTheReaderToo()
    {
        // The scanner stops DTDs first; the reader's DtdProcessing.Prohibit is the second line of defence.
        var exception = Assert.Throws<XmppStreamException>(() => XmlUnitParser.ParseStanza(
            Seq("<!DOCTYPE iq [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]><iq>&xxe;</iq>"),
            ComponentHeader));

        Assert.Equal(StreamErrorCondition.NotWellFormed, exception.Condition);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static ReadOnlySequence<byte> Seq(string text) => new(Encoding.UTF8.GetBytes(text));
}
