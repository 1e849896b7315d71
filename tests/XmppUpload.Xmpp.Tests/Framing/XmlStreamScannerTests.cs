using System.Text;
using XmppUpload.Xmpp.Framing;
using XmppUpload.Xmpp.Tests.Support;

namespace XmppUpload.Xmpp.Tests.Framing;

public sealed class XmlStreamScannerTests
{
    private const string Header =
        "<?xml version='1.0' encoding='UTF-8'?><stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' from='upload.montague.tld' id='3BF96D32'>";

    // Nesting, self-closing tags, '>' and '/>' inside quoted values, both quote kinds, predefined and character
    // references, CDATA holding markup and stray brackets, whitespace keepalives, and multi-byte UTF-8 (2 and 4 bytes).
    private static readonly string[] Stanzas =
    [
        "<handshake/>",
        "<iq type='get' id='a&amp;b' from='romeo@montague.tld/garden' to='upload.montague.tld'><request xmlns='urn:xmpp:http:upload:0' filename='très > cool.jpg' size='23456' content-type=\"image/jpeg\"><ephemeral xmlns='urn:xmpp:http:upload:purpose:0' expire-before='2030-01-01T00:00:00Z'/></request></iq>",
        "<message from='juliet@capulet.tld' to='upload.montague.tld'><body><![CDATA[<not-a-tag> ]] ]]]></body><x a=\"/>\" b='\"' c=\"'\"/><y>&#x1F600; 😀 &lt;&gt;&quot;&apos;</y></message>",
        "<presence/>",
    ];

    private static readonly string Stream = Header + "\n" + Stanzas[0] + "  \r\n\t" + Stanzas[1] + " " + Stanzas[2] + Stanzas[3] + "\n</stream:stream>";

    private static readonly (XmlUnitKind, string)[] Expected =
    [
        (XmlUnitKind.StreamHeader, Header),
        (XmlUnitKind.Stanza, Stanzas[0]),
        (XmlUnitKind.Stanza, Stanzas[1]),
        (XmlUnitKind.Stanza, Stanzas[2]),
        (XmlUnitKind.Stanza, Stanzas[3]),
        (XmlUnitKind.StreamEnd, "</stream:stream>"),
    ];

    [Fact]
    public void Stream_InOneBuffer_YieldsHeaderEachStanzaAndEnd()
    {
        var harness = new ScannerHarness().Feed(Stream);

        Assert.Null(harness.Failure);
        Assert.Equal(Expected, harness.Units);
        Assert.Equal(0, harness.Unconsumed);
    }

    [Fact]
    public void Stream_SplitAtEveryBytePosition_YieldsTheSameUnits()
    {
        var bytes = Encoding.UTF8.GetBytes(Stream);
        for (var split = 1; split < bytes.Length; split++)
        {
            // Delivered in two reads: the first unit boundary, tag, quote or UTF-8 sequence may be cut anywhere.
            var twoReads = new ScannerHarness().Feed(bytes[..split]).Feed(bytes[split..]);
            Assert.Null(twoReads.Failure);
            Assert.Equal(Expected, twoReads.Units);

            // Delivered in one read of two segments.
            var twoSegments = new ScannerHarness().Feed(bytes[..split], bytes[split..]);
            Assert.Null(twoSegments.Failure);
            Assert.Equal(Expected, twoSegments.Units);
        }
    }

    [Fact]
    public void Stream_OneByteAtATime_YieldsTheSameUnits()
    {
        var harness = new ScannerHarness();
        foreach (var b in Encoding.UTF8.GetBytes(Stream))
        {
            harness.Feed([b]);
        }

        Assert.Null(harness.Failure);
        Assert.Equal(Expected, harness.Units);
    }

    [Fact]
    public void Whitespace_BetweenStanzas_IsConsumedWithoutWaitingForMore()
    {
        var harness = new ScannerHarness().Feed(Header).Feed("   \n").Feed(" ");

        Assert.Equal(5, harness.WhitespaceBytes);
        Assert.Equal(0, harness.Unconsumed);
        Assert.Null(harness.Failure);
    }

    [Fact]
    public void Stanza_Incomplete_WaitsForMoreData()
    {
        var harness = new ScannerHarness().Feed(Header).Feed("<iq type='get'><ping xmlns='urn:xmpp:ping'/>");

        Assert.Single(harness.Units);
        Assert.Null(harness.Failure);
        Assert.True(harness.Unconsumed > 0);
    }

    [Fact]
    public void Header_WithoutXmlDeclaration_IsFound()
    {
        var harness = new ScannerHarness().Feed("<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' id='x'>");

        Assert.Equal(XmlUnitKind.StreamHeader, Assert.Single(harness.Units).Kind);
    }

    [Theory]
    [InlineData(255, false)]
    [InlineData(256, false)]
    [InlineData(257, true)]
    public void Stanza_OverTheSizeLimit_IsPolicyViolation(int size, bool refused)
    {
        var stanza = "<message>" + new string('x', size - "<message></message>".Length) + "</message>";
        Assert.Equal(size, Encoding.UTF8.GetByteCount(stanza));

        var whole = new ScannerHarness(maxUnitSize: 256).Feed(Header + stanza);
        var trickled = new ScannerHarness(maxUnitSize: 256).Feed(Header);
        foreach (var b in Encoding.UTF8.GetBytes(stanza))
        {
            trickled.Feed([b]);
        }

        foreach (var harness in new[] { whole, trickled })
        {
            if (refused)
            {
                Assert.Equal(StreamErrorCondition.PolicyViolation, harness.Failure?.Error);
            }
            else
            {
                Assert.Null(harness.Failure);
                Assert.Equal(stanza, harness.Units[^1].Text);
            }
        }
    }

    [Fact]
    public void Stanza_NeverCompleting_IsRefusedOnceItPassesTheLimit()
    {
        var harness = new ScannerHarness(maxUnitSize: 256).Feed(Header).Feed("<message><body>");
        for (var i = 0; i < 100 && harness.Failure is null; i++)
        {
            harness.Feed("xxxxxxxxxx");
        }

        Assert.Equal(StreamErrorCondition.PolicyViolation, harness.Failure?.Error);
    }

    [Fact]
    public void Stanza_NestedTooDeep_IsPolicyViolation()
    {
        var depth = XmlStreamScanner.MaxStanzaDepth + 1;
        var stanza = string.Concat(Enumerable.Repeat("<a>", depth)) + string.Concat(Enumerable.Repeat("</a>", depth));

        var harness = new ScannerHarness().Feed(Header + stanza);

        Assert.Equal(StreamErrorCondition.PolicyViolation, harness.Failure?.Error);
    }

    [Theory]
    [InlineData("<!DOCTYPE stream:stream [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>" + Header)]
    [InlineData(Header + "<iq type='get' id='1'><!DOCTYPE foo [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]><ping xmlns='urn:xmpp:ping'/></iq>")]
    [InlineData(Header + "<!ENTITY lol 'lol'>")]
    [InlineData(Header + "<message><body>&xxe;</body></message>")]
    [InlineData(Header + "<message><body a='&lol9;'/></message>")]
    [InlineData(Header + "<message><body>&ampersand;</body></message>")]
    [InlineData(Header + "<message><!-- a > b < c --></message>")]
    [InlineData(Header + "<!-- keepalive -->")]
    [InlineData(Header + "<message><?php echo 1; ?></message>")]
    [InlineData(Header + "<?xml version='1.0'?>")]
    public void RestrictedMarkup_IsRestrictedXml(string stream)
    {
        var harness = new ScannerHarness().Feed(stream);

        Assert.Equal(StreamErrorCondition.RestrictedXml, harness.Failure?.Error);
        Assert.DoesNotContain(harness.Units, u => u.Kind == XmlUnitKind.Stanza);
    }

    [Fact]
    public void Doctype_SplitAtEveryBytePosition_IsRestrictedXml()
    {
        var bytes = Encoding.UTF8.GetBytes(Header + "<iq><!DOCTYPE x></iq>");
        for (var split = 1; split < bytes.Length; split++)
        {
            var harness = new ScannerHarness().Feed(bytes[..split]).Feed(bytes[split..]);
            Assert.Equal(StreamErrorCondition.RestrictedXml, harness.Failure?.Error);
        }
    }

    [Theory]
    [InlineData(Header + "<message a='1<2'/>", "not-well-formed")]
    [InlineData(Header + "< message/>", "not-well-formed")]
    [InlineData(Header + "<message>& </message>", "not-well-formed")]
    [InlineData(Header + "<message>&;</message>", "not-well-formed")]
    [InlineData(Header + "<message><![CDATX[x]]></message>", "not-well-formed")]
    [InlineData(Header + "hello", "bad-format")]
    [InlineData(Header + "<![CDATA[x]]>", "bad-format")]
    [InlineData("hello" + Header, "not-well-formed")]
    [InlineData("</stream:stream>", "not-well-formed")]
    [InlineData("<stream:stream xmlns='jabber:component:accept'/>", "bad-format")]
    [InlineData(Header + "</stream:stream><iq/>", "not-well-formed")]
    public void BrokenStream_IsRefusedWithItsCondition(string stream, string condition)
    {
        var harness = new ScannerHarness().Feed(stream);

        Assert.NotNull(harness.Failure);
        Assert.Equal(condition, StreamErrorConditions.ElementName(harness.Failure.Value.Error));
        Assert.False(string.IsNullOrWhiteSpace(harness.Failure?.ErrorText));
    }

    [Fact]
    public void Scanner_AfterAFailure_KeepsFailing()
    {
        var scanner = new XmlStreamScanner(1024);
        var broken = Segments.Create([Encoding.UTF8.GetBytes("<!DOCTYPE x>")]);

        Assert.Equal(XmlUnitKind.Error, scanner.Scan(broken).Kind);
        Assert.Equal(XmlUnitKind.Error, scanner.Scan(Segments.Create([Encoding.UTF8.GetBytes(Header)])).Kind);
    }
}
