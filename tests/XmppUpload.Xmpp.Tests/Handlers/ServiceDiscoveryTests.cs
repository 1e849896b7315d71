using System.Xml.Linq;
using XmppUpload.Xmpp.Tests.Support;

namespace XmppUpload.Xmpp.Tests.Handlers;

public sealed class ServiceDiscoveryTests
{
    private static readonly XNamespace DiscoInfo = "http://jabber.org/protocol/disco#info";
    private static readonly XNamespace DataForms = "jabber:x:data";

    [Fact]
    public async Task DiscoInfo_ListsIdentityFeaturesPurposesAndMaxFileSize()
    {
        var service = new UploadService();
        var request = Stanza.Iq("<query xmlns='http://jabber.org/protocol/disco#info'/>");

        var response = Stanza.AssertResult(await service.Dispatcher.RespondAsync(request, TestContext.Current.CancellationToken), request);

        var query = Assert.Single(response.Elements(DiscoInfo + "query"));
        var identity = Assert.Single(query.Elements(DiscoInfo + "identity"));
        Assert.Equal(("store", "file", "HTTP File Upload"), ((string?)identity.Attribute("category"), (string?)identity.Attribute("type"), (string?)identity.Attribute("name")));
        Assert.Equal(
            [
                "http://jabber.org/protocol/disco#info",
                "http://jabber.org/protocol/disco#items",
                "urn:xmpp:http:upload:0",
                "urn:xmpp:ping",
                "jabber:iq:version",
                "urn:xmpp:http:upload:purpose:0#message",
                "urn:xmpp:http:upload:purpose:0#profile",
                "urn:xmpp:http:upload:purpose:0#ephemeral",
                "urn:xmpp:http:upload:purpose:0#permanent",
            ],
            query.Elements(DiscoInfo + "feature").Select(f => (string?)f.Attribute("var")));

        // XEP-0363 section 4 with XEP-0128: a result form typed by a hidden FORM_TYPE, max-file-size in bytes.
        var form = Assert.Single(query.Elements(DataForms + "x"));
        Assert.Equal("result", (string?)form.Attribute("type"));
        var fields = form.Elements(DataForms + "field").ToDictionary(f => (string)f.Attribute("var")!);
        Assert.Equal("hidden", (string?)fields["FORM_TYPE"].Attribute("type"));
        Assert.Equal("urn:xmpp:http:upload:0", fields["FORM_TYPE"].Element(DataForms + "value")?.Value);
        Assert.Equal("1000", fields["max-file-size"].Element(DataForms + "value")?.Value);
    }

    [Fact]
    public async Task DiscoInfo_WithDisabledPurpose_LeavesItsFeatureOut()
    {
        var service = new UploadService(upload =>
        {
            upload.Purposes["permanent"] = new() { Enabled = false };
            upload.Purposes["message"] = new() { MaxFileSize = 5242880 };
        });
        var request = Stanza.Iq("<query xmlns='http://jabber.org/protocol/disco#info'/>");

        var response = Stanza.AssertResult(await service.Dispatcher.RespondAsync(request, TestContext.Current.CancellationToken), request);

        var features = response.Descendants(DiscoInfo + "feature").Select(f => (string?)f.Attribute("var")).ToList();
        Assert.DoesNotContain("urn:xmpp:http:upload:purpose:0#permanent", features);
        Assert.Contains("urn:xmpp:http:upload:purpose:0#ephemeral", features);
        // The advertised limit is the one of the default purpose, 'message'.
        Assert.Equal("5242880", response.Descendants(DataForms + "field").Single(f => (string?)f.Attribute("var") == "max-file-size").Value);
    }

    [Fact]
    public async Task DiscoInfo_WithUnknownNode_GetsItemNotFound()
    {
        var service = new UploadService();
        var request = Stanza.Iq("<query xmlns='http://jabber.org/protocol/disco#info' node='http://example.org/caps#abc'/>");

        var response = await service.Dispatcher.RespondAsync(request, TestContext.Current.CancellationToken);

        Stanza.AssertError(response, request, "item-not-found", "cancel");
    }

    [Fact]
    public async Task DiscoInfo_OfTypeSet_GetsBadRequest()
    {
        var service = new UploadService();
        var request = Stanza.Iq("<query xmlns='http://jabber.org/protocol/disco#info'/>", type: "set");

        var response = await service.Dispatcher.RespondAsync(request, TestContext.Current.CancellationToken);

        Stanza.AssertError(response, request, "bad-request", "modify");
    }

    [Fact]
    public async Task DiscoItems_GetsEmptyResult()
    {
        var service = new UploadService();
        var request = Stanza.Iq("<query xmlns='http://jabber.org/protocol/disco#items'/>");

        var response = Stanza.AssertResult(await service.Dispatcher.RespondAsync(request, TestContext.Current.CancellationToken), request);

        var query = Assert.Single(response.Elements());
        Assert.Equal(XName.Get("query", "http://jabber.org/protocol/disco#items"), query.Name);
        Assert.Empty(query.Elements());
    }

    [Fact]
    public async Task Ping_GetsEmptyResult()
    {
        var service = new UploadService();
        var request = Stanza.Iq("<ping xmlns='urn:xmpp:ping'/>", id: "c2s1");

        var response = Stanza.AssertResult(await service.Dispatcher.RespondAsync(request, TestContext.Current.CancellationToken), request);

        Assert.Empty(response.Elements());
    }

    [Fact]
    public async Task Version_ReportsNameAndVersionWithoutOperatingSystem()
    {
        var service = new UploadService();
        var request = Stanza.Iq("<query xmlns='jabber:iq:version'/>");

        var response = Stanza.AssertResult(await service.Dispatcher.RespondAsync(request, TestContext.Current.CancellationToken), request);

        XNamespace version = "jabber:iq:version";
        var query = Assert.Single(response.Elements(version + "query"));
        Assert.Equal("XmppUpload", query.Element(version + "name")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(query.Element(version + "version")?.Value));
        Assert.Null(query.Element(version + "os"));
    }

    [Fact]
    public async Task Version_WithReportOperatingSystem_IncludesIt()
    {
        var service = new UploadService(reportOperatingSystem: true);
        var request = Stanza.Iq("<query xmlns='jabber:iq:version'/>");

        var response = Stanza.AssertResult(await service.Dispatcher.RespondAsync(request, TestContext.Current.CancellationToken), request);

        Assert.False(string.IsNullOrWhiteSpace(response.Descendants(XName.Get("os", "jabber:iq:version")).Single().Value));
    }
}
