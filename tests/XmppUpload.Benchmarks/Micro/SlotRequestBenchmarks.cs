using System.Xml.Linq;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Slots;
using XmppUpload.Core.Tokens;
using XmppUpload.Xmpp.Component;
using XmppUpload.Xmpp.Configuration;
using XmppUpload.Xmpp.Handlers;

namespace XmppUpload.Benchmarks.Micro;

/// <summary>
/// An XEP-0363 slot request from the parsed stanza to the answer stanza, through the dispatcher and the slot handler
/// the node uses: IQ checks, attribute parsing, the decision, the token and the URLs (the ledger grants at no cost).
/// </summary>
public class SlotRequestBenchmarks
{
    private const string Domain = "upload.example.org";

    private StanzaDispatcher _dispatcher = null!;
    private XElement _granted = null!;
    private XElement _tooLarge = null!;
    private XElement _malformed = null!;

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow;
        var key = SigningKey.CreateRandom(now.AddHours(-1));
        var upload = new UploadOptions();
        var slots = new SlotService(
            new GrantingLedger(),
            new SlotTokens(() => [key]),
            new SlotUrls(new Uri("https://upload.example.org/files/")),
            upload,
            ["example.org"],
            TimeProvider.System);
        var handler = new SlotRequestHandler(slots, upload, TimeProvider.System, NullLogger<SlotRequestHandler>.Instance);
        _dispatcher = new StanzaDispatcher(
            [handler],
            new PendingIqs(),
            Options.Create(new XmppOptions { Domain = Domain }),
            NullLogger<StanzaDispatcher>.Instance);

        _granted = Request("photo 2026.jpg", "1048576", "image/jpeg");
        _tooLarge = Request("film.mkv", "999999999999", "video/x-matroska");
        _malformed = Request("photo.jpg", "12kB", "image/jpeg");
        Expect(_granted, "result");
        Expect(_tooLarge, "error");
        Expect(_malformed, "error");
    }

    [Benchmark]
    public ValueTask<XElement?> Granted() => _dispatcher.RespondAsync(_granted, CancellationToken.None);

    [Benchmark]
    public ValueTask<XElement?> RefusedTooLarge() => _dispatcher.RespondAsync(_tooLarge, CancellationToken.None);

    [Benchmark]
    public ValueTask<XElement?> RefusedMalformedSize() => _dispatcher.RespondAsync(_malformed, CancellationToken.None);

    private static XElement Request(string fileName, string size, string contentType)
    {
        XNamespace client = "jabber:component:accept";
        XNamespace upload = "urn:xmpp:http:upload:0";
        return new XElement(
            client + "iq",
            new XAttribute("type", "get"),
            new XAttribute("id", "step_03"),
            new XAttribute("from", "romeo@example.org/garden"),
            new XAttribute("to", Domain),
            new XElement(
                upload + "request",
                new XAttribute("filename", fileName),
                new XAttribute("size", size),
                new XAttribute("content-type", contentType)));
    }

    private void Expect(XElement request, string type)
    {
        var answer = _dispatcher.RespondAsync(request, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        if ((string?)answer?.Attribute("type") != type)
        {
            throw new InvalidOperationException($"Expected an IQ {type}, got {answer}.");
        }
    }
}
