using System.Net;
using System.Net.Sockets;
using System.Xml.Linq;
using XmppUpload.Xmpp.Component;
using XmppUpload.Xmpp.Framing;
using XmppUpload.Xmpp.Tests.Support;

namespace XmppUpload.Xmpp.Tests.Component;

/// <summary>The component link over a real socket, against a fake server that misbehaves on purpose.</summary>
public sealed class ComponentLinkTests
{
    private static readonly XNamespace Streams = "http://etherx.jabber.org/streams";
    private static readonly XNamespace StreamErrors = "urn:ietf:params:xml:ns:xmpp-streams";

    private const string Ping = "<iq type='get' id='{0}' from='romeo@montague.tld/garden' to='upload.montague.tld'><ping xmlns='urn:xmpp:ping'/></iq>";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Handshake_WithTheRightSecret_ConnectsAndAnswersStanzas()
    {
        await using var server = new FakeXmppServer();
        await using var host = await LinkHost.StartAsync(server.Port, Token);
        await using var connection = await server.AcceptAsync(Token);

        var header = XElement.Parse((await connection.OpenStreamAsync(Token))
            .Replace("<?xml version='1.0'?>", string.Empty, StringComparison.Ordinal)
            .Replace(">", "/>", StringComparison.Ordinal));
        Assert.Equal(Streams + "stream", header.Name);
        Assert.Equal("upload.montague.tld", (string?)header.Attribute("to"));
        Assert.Equal("jabber:component:accept", header.GetDefaultNamespace().NamespaceName);
        Assert.True(await connection.ReadHandshakeAsync(LinkHost.Secret, Token));
        await connection.SendAsync("<handshake/>", Token);

        await host.Connection.WaitUntilConnectedAsync(Token).WaitAsync(TimeSpan.FromSeconds(20), Token);
        Assert.Equal(ComponentLinkState.Connected, host.Connection.State);
        await host.Logs.WaitForAsync("Authenticated");

        await connection.SendAsync(string.Format(Ping, "p1"), Token);
        var reply = await connection.ReadStanzaAsync(Token);

        Assert.Equal(("result", "p1", "upload.montague.tld", "romeo@montague.tld/garden"), Attributes(reply));
    }

    [Fact]
    public async Task Handshake_WithAWrongSecret_LogsItAndRetriesWithGrowingBackoff()
    {
        await using var server = new FakeXmppServer();
        await using var host = await LinkHost.StartAsync(server.Port, Token);

        for (var attempt = 1; attempt <= 2; attempt++)
        {
            await using var connection = await server.AcceptAsync(Token);
            await connection.OpenStreamAsync(Token);
            await connection.ReadHandshakeAsync(LinkHost.Secret, Token);
            await connection.SendAsync("<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>", Token);

            await host.Logs.WaitForAsync("WrongSecret", attempt);
            var retry = await host.Logs.WaitForAsync("RetryScheduled", attempt);
            Assert.Equal((double)attempt, retry.Value("DelaySeconds"));
            Assert.Equal(ComponentLinkState.WaitingToReconnect, host.Connection.State);

            // The component answers the server's closing tag with its own.
            await connection.ReadUntilStreamEndAsync(Token);
            host.Time.Advance(TimeSpan.FromSeconds(attempt));
        }

        var wrongSecret = await host.Logs.WaitForAsync("WrongSecret");
        Assert.Contains("Xmpp:Secret", wrongSecret.Message, StringComparison.Ordinal);
        await using var third = await server.AcceptAsync(Token);
        Assert.Equal(0, host.Logs.Count("Authenticated"));
        Assert.Equal(0, host.Logs.Count("StreamErrorReceived"));
    }

    [Fact]
    public async Task WellFormedButInvalidStanzas_GetStanzaErrorsAndTheStreamSurvives()
    {
        await using var server = new FakeXmppServer();
        await using var host = await LinkHost.StartAsync(server.Port, Token);
        await using var connection = await ConnectAsync(server, host);

        await connection.SendAsync("<iq type='get' from='romeo@montague.tld/garden' to='upload.montague.tld'><ping xmlns='urn:xmpp:ping'/></iq>", Token);
        var noId = await connection.ReadStanzaAsync(Token);
        await connection.SendAsync("<iq type='get' id='s1' from='romeo@montague.tld/garden' to='upload.montague.tld'><request xmlns='urn:xmpp:http:upload:0' filename='a.jpg' size='big'/></iq>", Token);
        var badSize = await connection.ReadStanzaAsync(Token);
        await connection.SendAsync(string.Format(Ping, "p2"), Token);
        var pong = await connection.ReadStanzaAsync(Token);

        Assert.Equal("bad-request", ErrorCondition(noId));
        Assert.Equal(("error", "s1"), ((string?)badSize.Attribute("type"), (string?)badSize.Attribute("id")));
        Assert.Equal("bad-request", ErrorCondition(badSize));
        Assert.Equal("result", (string?)pong.Attribute("type"));
        Assert.Equal(ComponentLinkState.Connected, host.Connection.State);
        Assert.Equal(0, host.Logs.Count("Disconnected") + host.Logs.Count("StreamErrorSent"));
    }

    [Fact]
    public async Task SlotRequest_OverTheLink_GetsASlot()
    {
        await using var server = new FakeXmppServer();
        await using var host = await LinkHost.StartAsync(server.Port, Token);
        await using var connection = await ConnectAsync(server, host);

        await connection.SendAsync(
            "<iq type='get' id='step_03' from='romeo@montague.tld/garden' to='upload.montague.tld'><request xmlns='urn:xmpp:http:upload:0' filename='très cool.jpg' size='234' content-type='image/jpeg'/></iq>",
            Token);
        var reply = await connection.ReadStanzaAsync(Token);

        Assert.Equal("result", (string?)reply.Attribute("type"));
        var put = reply.Descendants(XName.Get("put", "urn:xmpp:http:upload:0")).Single();
        Assert.EndsWith("/tr%C3%A8s%20cool.jpg", (string?)put.Attribute("url"), StringComparison.Ordinal);
        Assert.Single(host.Service.Ledger.Slots);
    }

    [Fact]
    public async Task SlowSlotRequest_DoesNotHoldUpOtherStanzas()
    {
        await using var server = new FakeXmppServer();
        await using var host = await LinkHost.StartAsync(server.Port, Token);
        await using var connection = await ConnectAsync(server, host);
        host.Service.Ledger.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await connection.SendAsync(SlotRequest("slow"), Token);
        await host.Service.Ledger.Entered.Task.WaitAsync(TimeSpan.FromSeconds(20), Token);
        await connection.SendAsync(string.Format(Ping, "quick"), Token);
        var first = await connection.ReadStanzaAsync(Token);
        host.Service.Ledger.Gate.SetResult();
        var second = await connection.ReadStanzaAsync(Token);

        Assert.Equal(("quick", "slow"), ((string?)first.Attribute("id"), (string?)second.Attribute("id")));
        Assert.Equal("result", (string?)second.Attribute("type"));
    }

    [Fact]
    public async Task HandlerLimit_OfOne_AnswersInArrivalOrder()
    {
        await using var server = new FakeXmppServer();
        await using var host = await LinkHost.StartAsync(server.Port, Token, new() { ["Xmpp:MaxConcurrentHandlers"] = "1" });
        await using var connection = await ConnectAsync(server, host);
        host.Service.Ledger.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await connection.SendAsync(SlotRequest("slow"), Token);
        await host.Service.Ledger.Entered.Task.WaitAsync(TimeSpan.FromSeconds(20), Token);
        await connection.SendAsync(string.Format(Ping, "queued"), Token);
        host.Service.Ledger.Gate.SetResult();
        var first = await connection.ReadStanzaAsync(Token);
        var second = await connection.ReadStanzaAsync(Token);

        // The ping waited for the only handler; the read loop stopped reading meanwhile instead of queueing.
        Assert.Equal(("slow", "queued"), ((string?)first.Attribute("id"), (string?)second.Attribute("id")));
    }

    [Fact]
    public async Task FailingLedger_GetsInternalServerErrorAndTheStreamSurvives()
    {
        await using var server = new FakeXmppServer();
        await using var host = await LinkHost.StartAsync(server.Port, Token);
        await using var connection = await ConnectAsync(server, host);
        host.Service.Ledger.Failure = new InvalidOperationException("database is gone");

        await connection.SendAsync(SlotRequest("s1"), Token);
        var error = await connection.ReadStanzaAsync(Token);
        await connection.SendAsync(string.Format(Ping, "p1"), Token);
        var pong = await connection.ReadStanzaAsync(Token);

        Assert.Equal("internal-server-error", ErrorCondition(error));
        Assert.Equal("result", (string?)pong.Attribute("type"));
        var log = await host.Logs.WaitForAsync("HandlerFailed");
        Assert.IsType<InvalidOperationException>(log.Exception);
    }

    [Fact]
    public async Task DoctypeInAStanza_ClosesTheStreamWithRestrictedXmlAndReconnects()
    {
        await using var server = new FakeXmppServer();
        await using var host = await LinkHost.StartAsync(server.Port, Token);
        await using var connection = await ConnectAsync(server, host);

        await connection.SendAsync(
            "<iq type='get' id='x1' from='romeo@montague.tld/garden' to='upload.montague.tld'><!DOCTYPE foo [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]><ping xmlns='urn:xmpp:ping'/></iq>",
            Token);

        Assert.Equal("restricted-xml", await ReadStreamErrorAsync(connection));
        await connection.Closed.WaitAsync(TimeSpan.FromSeconds(20), Token);
        var log = await host.Logs.WaitForAsync("StreamErrorSent");
        Assert.Equal("restricted-xml", log.Value("Condition"));
        await host.Logs.WaitForAsync("RetryScheduled");

        host.Time.Advance(TimeSpan.FromSeconds(1));
        await using var again = await server.AcceptAsync(Token);
        await again.AcceptComponentAsync(LinkHost.Secret, Token);
        await host.Logs.WaitForAsync("Authenticated", 2);
    }

    [Theory]
    [InlineData("<iq type='get' id='1'></message>", "not-well-formed")]
    [InlineData("<message><body>&xxe;</body></message>", "restricted-xml")]
    [InlineData("<message a='<'/>", "not-well-formed")]
    [InlineData("hello", "bad-format")]
    [InlineData("<handshake xmlns='urn:example:other'/>", "unsupported-stanza-type")]
    public async Task MalformedStream_IsClosedWithAStreamError(string input, string condition)
    {
        await using var server = new FakeXmppServer();
        await using var host = await LinkHost.StartAsync(server.Port, Token);
        await using var connection = await ConnectAsync(server, host);

        await connection.SendAsync(input, Token);

        Assert.Equal(condition, await ReadStreamErrorAsync(connection));
        await host.Logs.WaitForAsync("RetryScheduled");
        Assert.False(host.Connection.IsConnected);
    }

    [Fact]
    public async Task OversizeStanza_IsPolicyViolation()
    {
        await using var server = new FakeXmppServer();
        await using var host = await LinkHost.StartAsync(server.Port, Token, new() { ["Xmpp:MaxStanzaSize"] = "4096" });
        await using var connection = await ConnectAsync(server, host);

        await connection.SendAsync("<message from='romeo@montague.tld/garden' to='upload.montague.tld'><body>" + new string('x', 5000) + "</body></message>", Token);

        Assert.Equal("policy-violation", await ReadStreamErrorAsync(connection));
    }

    [Fact]
    public async Task ServerStreamError_IsLoggedWithItsConditionAndTheLinkRetries()
    {
        await using var server = new FakeXmppServer();
        await using var host = await LinkHost.StartAsync(server.Port, Token);
        await using var connection = await ConnectAsync(server, host);

        await connection.SendAsync("<stream:error><system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>Going down</text></stream:error></stream:stream>", Token);

        var log = await host.Logs.WaitForAsync("StreamErrorReceived");
        Assert.Equal(("system-shutdown", "Going down"), (log.Value("Condition"), log.Value("Text")));
        var retry = await host.Logs.WaitForAsync("RetryScheduled");
        Assert.Equal(1.0, retry.Value("DelaySeconds"));
        await connection.ReadUntilStreamEndAsync(Token);
    }

    [Fact]
    public async Task DroppedConnection_ReconnectsAfterTheBackoff()
    {
        await using var server = new FakeXmppServer();
        await using var host = await LinkHost.StartAsync(server.Port, Token);
        await using (var first = await ConnectAsync(server, host))
        {
            first.Drop();
        }

        await host.Logs.WaitForAsync("Disconnected");
        var retry = await host.Logs.WaitForAsync("RetryScheduled");
        Assert.Equal(1.0, retry.Value("DelaySeconds"));
        Assert.False(host.Connection.IsConnected);

        host.Time.Advance(TimeSpan.FromSeconds(1));
        await using var second = await server.AcceptAsync(Token);
        await second.AcceptComponentAsync(LinkHost.Secret, Token);
        await host.Logs.WaitForAsync("Authenticated", 2);
        await second.SendAsync(string.Format(Ping, "after"), Token);
        Assert.Equal("result", (string?)(await second.ReadStanzaAsync(Token)).Attribute("type"));
    }

    [Fact]
    public async Task Backoff_IsResetByASuccessfulHandshake()
    {
        await using var server = new FakeXmppServer();
        await using var host = await LinkHost.StartAsync(server.Port, Token);

        // Two refused handshakes grow the delay to 2 s ...
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            await using var refused = await server.AcceptAsync(Token);
            await refused.OpenStreamAsync(Token);
            await refused.ReadHandshakeAsync(LinkHost.Secret, Token);
            refused.Drop();
            await host.Logs.WaitForAsync("RetryScheduled", attempt);
            host.Time.Advance(TimeSpan.FromSeconds(attempt));
        }

        // ... and a drop after a successful one starts again at 1 s.
        await using (var accepted = await server.AcceptAsync(Token))
        {
            await accepted.AcceptComponentAsync(LinkHost.Secret, Token);
            await host.Logs.WaitForAsync("Authenticated");
            accepted.Drop();
        }

        var retry = await host.Logs.WaitForAsync("RetryScheduled", 3);
        Assert.Equal(1.0, retry.Value("DelaySeconds"));
    }

    [Fact]
    public async Task ConnectionRefused_IsLoggedAndRetried()
    {
        // Bound but not listening: connections are refused, and no other test can take the port meanwhile.
        using var refusing = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        refusing.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        await using var host = await LinkHost.StartAsync(((IPEndPoint)refusing.LocalEndPoint!).Port, Token);

        await host.Logs.WaitForAsync("ConnectFailed");
        await host.Logs.WaitForAsync("RetryScheduled");
        Assert.Equal(ComponentLinkState.WaitingToReconnect, host.Connection.State);
    }

    [Fact]
    public async Task QuietLink_SendsAWhitespaceKeepaliveEachInterval()
    {
        await using var server = new FakeXmppServer();
        await using var host = await LinkHost.StartAsync(server.Port, Token);
        await using var connection = await ConnectAsync(server, host);

        host.Time.Advance(TimeSpan.FromSeconds(60));

        var (kind, text) = await connection.ReadUnitAsync(Token);
        Assert.Equal((XmlUnitKind.Whitespace, " "), (kind, text));
    }

    [Fact]
    public async Task SendIqAsync_ReturnsTheMatchingResponse()
    {
        await using var server = new FakeXmppServer();
        await using var host = await LinkHost.StartAsync(server.Port, Token);
        await using var connection = await ConnectAsync(server, host);

        var response = host.Connection.SendIqAsync(
            new XElement(XName.Get("iq", "jabber:component:accept"), new XAttribute("type", "get"), new XAttribute("to", "romeo@montague.tld/garden"), new XElement(XName.Get("ping", "urn:xmpp:ping"))),
            Token);
        var sent = await connection.ReadStanzaAsync(Token);
        Assert.Equal("upload.montague.tld", (string?)sent.Attribute("from"));
        var id = (string?)sent.Attribute("id");
        Assert.False(string.IsNullOrEmpty(id));
        await connection.SendAsync($"<iq type='result' id='{id}' from='tybalt@capulet.tld/sword' to='upload.montague.tld'/>", Token);
        await connection.SendAsync($"<iq type='result' id='{id}' from='romeo@montague.tld/garden' to='upload.montague.tld'/>", Token);

        var result = await response.WaitAsync(TimeSpan.FromSeconds(20), Token);
        Assert.Equal(("result", "romeo@montague.tld/garden"), ((string?)result.Attribute("type"), (string?)result.Attribute("from")));
    }

    [Fact]
    public async Task SendIqAsync_WithoutResponse_TimesOut()
    {
        await using var server = new FakeXmppServer();
        await using var host = await LinkHost.StartAsync(server.Port, Token);
        await using var connection = await ConnectAsync(server, host);

        var response = host.Connection.SendIqAsync(
            new XElement(XName.Get("iq", "jabber:component:accept"), new XAttribute("type", "get"), new XAttribute("id", "c1"), new XAttribute("to", "romeo@montague.tld/garden"), new XElement(XName.Get("ping", "urn:xmpp:ping"))),
            TimeSpan.FromSeconds(5),
            Token);
        await connection.ReadStanzaAsync(Token);
        host.Time.Advance(TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<TimeoutException>(() => response.WaitAsync(TimeSpan.FromSeconds(20), Token));
    }

    [Fact]
    public async Task SendAsync_WhileDisconnected_ThrowsLinkUnavailable()
    {
        await using var server = new FakeXmppServer();
        await using var host = await LinkHost.StartAsync(server.Port, Token);

        await Assert.ThrowsAsync<XmppLinkUnavailableException>(async () =>
            await host.Connection.SendAsync(new XElement(XName.Get("message", "jabber:component:accept"), new XAttribute("to", "romeo@montague.tld")), Token));
    }

    [Fact]
    public async Task Stopping_ClosesTheStreamPolitely()
    {
        await using var server = new FakeXmppServer();
        var host = await LinkHost.StartAsync(server.Port, Token);
        await using var connection = await ConnectAsync(server, host);

        await host.DisposeAsync();

        await connection.ReadUntilStreamEndAsync(Token);
        await connection.Closed.WaitAsync(TimeSpan.FromSeconds(20), Token);
        Assert.Equal(1, host.Logs.Count("Stopped"));
        Assert.Equal(ComponentLinkState.Stopped, host.Connection.State);
    }

    private static string SlotRequest(string id) =>
        $"<iq type='get' id='{id}' from='romeo@montague.tld/garden' to='upload.montague.tld'><request xmlns='urn:xmpp:http:upload:0' filename='a.jpg' size='10'/></iq>";

    private static async Task<FakeServerConnection> ConnectAsync(FakeXmppServer server, LinkHost host)
    {
        var connection = await server.AcceptAsync(Token);
        await connection.AcceptComponentAsync(LinkHost.Secret, Token);
        await host.Connection.WaitUntilConnectedAsync(Token).WaitAsync(TimeSpan.FromSeconds(20), Token);
        return connection;
    }

    private static async Task<string> ReadStreamErrorAsync(FakeServerConnection connection)
    {
        var units = await connection.ReadUntilStreamEndAsync(Token);
        var error = XElement.Parse(units.Single(u => u.Kind == XmlUnitKind.Stanza && u.Text.StartsWith("<stream:error", StringComparison.Ordinal)).Text);
        Assert.Equal(Streams + "error", error.Name);
        Assert.False(string.IsNullOrWhiteSpace(error.Element(StreamErrors + "text")?.Value));
        return error.Elements().First(e => e.Name.Namespace == StreamErrors).Name.LocalName;
    }

    private static string? ErrorCondition(XElement stanza) =>
        stanza.Element(XName.Get("error", "jabber:component:accept"))?.Elements().First().Name.LocalName;

    private static (string?, string?, string?, string?) Attributes(XElement stanza) =>
        ((string?)stanza.Attribute("type"), (string?)stanza.Attribute("id"), (string?)stanza.Attribute("from"), (string?)stanza.Attribute("to"));
}
