using System.Buffers;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using BenchmarkDotNet.Attributes;
using XmppUpload.Xmpp.Component;
using XmppUpload.Xmpp.Framing;

namespace XmppUpload.Benchmarks.Micro;

/// <summary>
/// The component link's byte paths: delimiting and parsing one incoming slot request (scanner, then the restricted
/// XML reader), and serializing one slot answer with the writer settings the session uses.
/// </summary>
public class StanzaBenchmarks
{
    private const string Header =
        "<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:component:accept' "
        + "from='upload.example.org' id='3BF96D32-1EAC-4A51-B8E8-E9ED7B5C3A81'>";

    private const string Request =
        "<iq type='get' id='step_03' from='romeo@example.org/garden' to='upload.example.org'>"
        + "<request xmlns='urn:xmpp:http:upload:0' filename='photo 2026.jpg' size='1048576' content-type='image/jpeg'/></iq>";

    private readonly MemoryStream _scratch = new();
    private XmlStreamScanner _scanner = null!;
    private StreamHeader _header = null!;
    private ReadOnlySequence<byte> _request;
    private XElement _answer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _scanner = new XmlStreamScanner(256 * 1024);
        var header = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Header));
        var scanned = _scanner.Scan(header);
        if (scanned.Kind != XmlUnitKind.StreamHeader)
        {
            throw new InvalidOperationException($"The stream header scanned as {scanned.Kind}.");
        }

        _header = XmlUnitParser.ParseHeader(header.Slice(scanned.Start, scanned.Length - scanned.Start));
        _request = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Request));
        if (ReadRequest().Name.LocalName != "iq")
        {
            throw new InvalidOperationException("The request did not parse as an IQ.");
        }

        XNamespace client = "jabber:component:accept";
        XNamespace upload = "urn:xmpp:http:upload:0";
        const string Url = "https://upload.example.org/files/k3v7q2mxz5wa4t6yb2c3d4e5f6/photo%202026.jpg";
        _answer = new XElement(
            client + "iq",
            new XAttribute("type", "result"),
            new XAttribute("id", "step_03"),
            new XAttribute("from", "upload.example.org"),
            new XAttribute("to", "romeo@example.org/garden"),
            new XElement(
                upload + "slot",
                new XElement(
                    upload + "put",
                    new XAttribute("url", Url),
                    new XElement(upload + "header", new XAttribute("name", "Authorization"),
                        "Bearer v1.abcdefgh.1795000000.1048576.aW1hZ2UvanBlZw.Wm9vbGFuZGVyIHdhcyBoZXJlIGFuZCBoZXJlIGFuZCBoZXJlISE")),
                new XElement(upload + "get", new XAttribute("url", Url))));
    }

    /// <summary>One stanza as the session receives it: scanned to its end, then parsed with the stream's namespaces.</summary>
    [Benchmark]
    public XElement ReadRequest()
    {
        var scanned = _scanner.Scan(_request);
        if (scanned.Kind != XmlUnitKind.Stanza)
        {
            throw new InvalidOperationException($"The request scanned as {scanned.Kind}.");
        }

        return XmlUnitParser.ParseStanza(_request.Slice(scanned.Start, scanned.Length - scanned.Start), _header);
    }

    /// <summary>One slot answer serialized into the session's reused buffer, as ComponentSession.SendAsync does.</summary>
    [Benchmark]
    public long WriteAnswer()
    {
        _scratch.SetLength(0);
        using (var writer = XmlWriter.Create(_scratch, ComponentSession.WriterSettings))
        {
            _answer.WriteTo(writer);
        }

        return _scratch.Length;
    }
}
