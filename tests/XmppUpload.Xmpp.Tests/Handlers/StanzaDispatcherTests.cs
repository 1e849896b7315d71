using System.Xml.Linq;
using XmppUpload.Xmpp.Tests.Support;

namespace XmppUpload.Xmpp.Tests.Handlers;

public sealed class StanzaDispatcherTests
{
    private readonly UploadService _service = new();

    private ValueTask<XElement?> Respond(XElement stanza) => _service.Dispatcher.RespondAsync(stanza, TestContext.Current.CancellationToken);

    [Fact]
    public async Task UnknownIq_GetsServiceUnavailableWithText()
    {
        var request = Stanza.Iq("<query xmlns='jabber:iq:roster'/>");

        var error = Stanza.AssertError(await Respond(request), request, "service-unavailable", "cancel");

        Assert.Contains("jabber:iq:roster", Stanza.Text(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownIqSet_GetsServiceUnavailable()
    {
        var request = Stanza.Iq("<command xmlns='http://jabber.org/protocol/commands'/>", type: "set");

        Stanza.AssertError(await Respond(request), request, "service-unavailable", "cancel");
    }

    [Fact]
    public async Task Iq_WithoutId_GetsBadRequest()
    {
        var request = Stanza.Parse("<iq type='get' from='romeo@montague.tld/garden' to='upload.montague.tld'><ping xmlns='urn:xmpp:ping'/></iq>");

        var response = await Respond(request);

        Stanza.AssertError(response, request, "bad-request", "modify");
        Assert.Null(response!.Attribute("id"));
    }

    [Theory]
    [InlineData("type='fetch'")]
    [InlineData("")]
    public async Task Iq_WithInvalidType_GetsBadRequest(string type)
    {
        var request = Stanza.Parse($"<iq {type} id='x1' from='romeo@montague.tld/garden' to='upload.montague.tld'><ping xmlns='urn:xmpp:ping'/></iq>");

        Stanza.AssertError(await Respond(request), request, "bad-request", "modify");
    }

    [Theory]
    [InlineData("")]
    [InlineData("<ping xmlns='urn:xmpp:ping'/><ping xmlns='urn:xmpp:ping'/>")]
    public async Task Iq_WithoutExactlyOnePayload_GetsBadRequest(string payload)
    {
        var request = Stanza.Iq(payload);

        Stanza.AssertError(await Respond(request), request, "bad-request", "modify");
    }

    [Theory]
    [InlineData("someone@upload.montague.tld")]
    [InlineData("upload.montague.tld/resource")]
    [InlineData("elsewhere.montague.tld")]
    public async Task Iq_ToAnAddressOtherThanTheService_GetsServiceUnavailable(string to)
    {
        var request = Stanza.Iq("<query xmlns='http://jabber.org/protocol/disco#info'/>", to: to);

        Stanza.AssertError(await Respond(request), request, "service-unavailable", "cancel");
    }

    [Fact]
    public async Task Iq_ToTheServiceInOtherCase_IsAnswered()
    {
        var request = Stanza.Iq("<ping xmlns='urn:xmpp:ping'/>", to: "Upload.Montague.TLD");

        Stanza.AssertResult(await Respond(request), request);
    }

    [Fact]
    public async Task Iq_WithoutSender_GetsNoAnswer()
    {
        var request = Stanza.Parse("<iq type='get' id='1' to='upload.montague.tld'><ping xmlns='urn:xmpp:ping'/></iq>");

        Assert.Null(await Respond(request));
    }

    [Theory]
    [InlineData("<iq type='error' id='e1' from='romeo@montague.tld/garden' to='upload.montague.tld'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")]
    [InlineData("<iq type='result' id='unknown' from='romeo@montague.tld/garden' to='upload.montague.tld'/>")]
    [InlineData("<iq type='result' from='romeo@montague.tld/garden' to='upload.montague.tld'/>")]
    [InlineData("<message type='error' from='romeo@montague.tld/garden' to='upload.montague.tld'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>")]
    [InlineData("<message from='romeo@montague.tld/garden' to='upload.montague.tld'><body>hello</body></message>")]
    [InlineData("<presence from='romeo@montague.tld/garden' to='upload.montague.tld'/>")]
    [InlineData("<presence type='error' from='romeo@montague.tld/garden' to='upload.montague.tld'/>")]
    public async Task ResponsesErrorsMessagesAndPresence_GetNoAnswer(string xml)
    {
        Assert.Null(await Respond(Stanza.Parse(xml)));
    }

    [Fact]
    public async Task IqResult_FromTheAddressee_CompletesThePendingRequest()
    {
        var waiting = _service.Pending.Register("c1", "romeo@montague.tld/garden");

        Assert.Null(await Respond(Stanza.Parse("<iq type='result' id='c1' from='romeo@montague.tld/garden' to='upload.montague.tld'/>")));

        Assert.True(waiting.IsCompletedSuccessfully);
        Assert.Equal("result", (string?)(await waiting).Attribute("type"));
        Assert.Equal(0, _service.Pending.Count);
    }

    [Fact]
    public async Task IqResult_FromAnotherAddress_LeavesThePendingRequestWaiting()
    {
        var waiting = _service.Pending.Register("c1", "romeo@montague.tld/garden");

        Assert.Null(await Respond(Stanza.Parse("<iq type='result' id='c1' from='tybalt@capulet.tld/sword' to='upload.montague.tld'/>")));

        Assert.False(waiting.IsCompleted);
    }
}
