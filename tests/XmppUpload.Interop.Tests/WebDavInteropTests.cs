using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using XmppUpload.Testing;

namespace XmppUpload.Interop.Tests;

/// <summary>
/// The XEP-0129 protocol flow of its section 4, end to end with real parts: a real Prosody, the node attached as its
/// component, and real slixmpp clients answering the XEP-0070 confirmations the node sends for each HTTP user.
/// </summary>
public sealed class WebDavInteropTests
{
    private const string Xep0129 = "http://www.xmpp.org/extensions/xep-0129.html#ns";

    private static readonly Dictionary<string, string> Users = new()
    {
        ["alice"] = "alice-password",
        ["bob"] = "bob-password",
        ["carol"] = "carol-password",
        ["dave"] = "dave-password",
    };

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = 180_000)]
    public async Task Xep0129Flow_OwnerSharesWithJidList_AndEveryoneElseIsHeldToIt()
    {
        await using var prosody = await ProsodyServer.StartAsync(new ProsodyOptions { Users = Users }, Cancellation);
        await using var node = await NodeProcess.StartAsync(
            new Dictionary<string, string>
            {
                ["Xmpp:Server"] = $"127.0.0.1:{prosody.ComponentPort.ToString(CultureInfo.InvariantCulture)}",
                ["Xmpp:Domain"] = prosody.ComponentDomain,
                ["Xmpp:Secret"] = prosody.ComponentSecret,
                ["WebDav:ConfirmTimeout"] = "00:00:20",
            },
            cancellationToken: Cancellation);
        var domain = prosody.Domain;
        await using var alice = await ConfirmingClient.StartAsync(prosody, "alice", Users["alice"], ["alice-txn-0001"], cancellationToken: Cancellation);
        await using var bob = await ConfirmingClient.StartAsync(prosody, "bob", Users["bob"], ["bob-txn-0001"], cancellationToken: Cancellation);
        await using var carol = await ConfirmingClient.StartAsync(prosody, "carol", Users["carol"], [], denyOthers: true, resource: "laptop", cancellationToken: Cancellation);
        await using var dave = await ConfirmingClient.StartAsync(prosody, "dave", Users["dave"], ["dave-txn-0001"], cancellationToken: Cancellation);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var missive = new Uri(node.PublicUrl, "dav/missive.html");
        var draft = new Uri(node.PublicUrl, "dav/draft.html");
        var content = Encoding.UTF8.GetBytes("<p>But soft, what light through yonder window breaks?</p>");
        // alice logs in with her full JID (asked by IQ), bob with his bare JID (asked by message), carol with a full JID.
        var asAlice = Basic(alice.FullJid, "alice-txn-0001");
        var asBob = Basic($"bob@{domain}", "bob-txn-0001");
        var asCarol = Basic(carol.FullJid, "carol-txn-0001");
        var asDave = Basic(dave.FullJid, "dave-txn-0001");

        // XEP-0129 section 4: the PUT carries If-None-Match and Authorization; the creator owns the file.
        using (var put = await SendAsync(http, HttpMethod.Put, missive, asAlice, new ByteArrayContent(content), ("If-None-Match", "*")))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        await SendAsync(http, HttpMethod.Put, draft, asAlice, new ByteArrayContent(content), ("If-None-Match", "*"));

        // Until the owner sets a jidlist, nobody but the owner may GET ("the server MUST NOT allow access until this
        // configuration is completed").
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, HttpMethod.Get, missive, asBob)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Get, missive, asAlice)).StatusCode);

        // The PROPPATCH of section 4: a bare JID (all its resources) and a full JID (that resource only).
        var jidList = $"""
            <?xml version="1.0" encoding="utf-8"?>
            <propertyupdate xmlns="DAV:"><set><prop>
              <jidlist xmlns="{Xep0129}"><jid>bob@{domain}</jid><jid>carol@{domain}/laptop</jid></jidlist>
            </prop></set></propertyupdate>
            """;
        using (var patch = await SendAsync(http, new HttpMethod("PROPPATCH"), missive, asAlice, Xml(jidList)))
        {
            Assert.Equal((HttpStatusCode)207, patch.StatusCode);
            Assert.Contains("200 OK", await patch.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        // A listed bare JID gets the file once it has confirmed (by message, since it logged in with the bare JID).
        using (var get = await SendAsync(http, HttpMethod.Get, missive, asBob))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(content, await get.Content.ReadAsByteArrayAsync(Cancellation));
        }

        // The jidlist does not open other files, and an unlisted user is refused without being asked anything.
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, HttpMethod.Get, draft, asBob)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, HttpMethod.Get, missive, asDave)).StatusCode);

        // A listed full JID whose user denies the request gets 403.
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, HttpMethod.Get, missive, asCarol)).StatusCode);

        // A second PUT with If-None-Match: * finds the file there: 412, and the file is unchanged.
        using (var again = await SendAsync(http, HttpMethod.Put, missive, asAlice, new ByteArrayContent("overwritten"u8.ToArray()), ("If-None-Match", "*")))
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, again.StatusCode);
        }

        // Others may not DELETE, MOVE or PROPPATCH the owner's file (XEP-0129 section 4).
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, HttpMethod.Delete, missive, asBob)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, new HttpMethod("MOVE"), missive, asBob, null, ("Destination", new Uri(node.PublicUrl, "dav/stolen.html").AbsoluteUri))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, new HttpMethod("PROPPATCH"), missive, asBob, Xml(jidList.Replace("carol", "bob", StringComparison.Ordinal)))).StatusCode);
        using (var still = await SendAsync(http, HttpMethod.Get, missive, asAlice))
        {
            Assert.Equal(content, await still.Content.ReadAsByteArrayAsync(Cancellation));
        }

        var aliceAsked = await alice.StopAsync(Cancellation);
        var bobAsked = await bob.StopAsync(Cancellation);
        var carolAsked = await carol.StopAsync(Cancellation);
        var daveAsked = await dave.StopAsync(Cancellation);
        // XEP-0070 section 4.2: a full JID is asked by IQ, a bare JID by message; a refused request asks nobody.
        Assert.All(aliceAsked, request => Assert.Equal("iq", request.GetProperty("via").GetString()));
        Assert.NotEmpty(aliceAsked);
        var bobRequest = Assert.Single(bobAsked);
        Assert.Equal("message", bobRequest.GetProperty("via").GetString());
        Assert.Equal("bob-txn-0001", bobRequest.GetProperty("id").GetString());
        Assert.Equal("GET", bobRequest.GetProperty("method").GetString());
        Assert.Equal(missive.AbsoluteUri, bobRequest.GetProperty("url").GetString());
        Assert.Equal("denied", Assert.Single(carolAsked).GetProperty("answer").GetString());
        Assert.Empty(daveAsked);
    }

    private static AuthenticationHeaderValue Basic(string jid, string transactionId) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{jid}:{transactionId}")));

    private static StringContent Xml(string xml) => new(xml, Encoding.UTF8, "application/xml");

    private static async Task<HttpResponseMessage> SendAsync(
        HttpClient http, HttpMethod method, Uri url, AuthenticationHeaderValue authorization, HttpContent? content = null, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Authorization = authorization;
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await http.SendAsync(request, Cancellation);
    }
}
