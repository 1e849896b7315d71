using System.Xml.Linq;
using XmppUpload.Xmpp.Tests.Support;

namespace XmppUpload.Xmpp.Tests.Commands;

public sealed class CommandDiscoveryTests
{
    private static readonly XNamespace DiscoInfo = "http://jabber.org/protocol/disco#info";
    private static readonly XNamespace DiscoItems = "http://jabber.org/protocol/disco#items";

    [Fact]
    public async Task DiscoInfo_OfTheService_AdvertisesCommands()
    {
        var service = new CommandService();
        var request = Stanza.Iq("<query xmlns='http://jabber.org/protocol/disco#info'/>");

        var response = Stanza.AssertResult(await service.SendAsync(request), request);

        var features = response.Descendants(DiscoInfo + "feature").Select(f => (string?)f.Attribute("var")).ToList();
        Assert.Contains("http://jabber.org/protocol/commands", features);
        Assert.Contains("urn:xmpp:http:upload:0", features);
    }

    [Fact]
    public async Task DiscoItems_OnTheCommandsNode_ListsTheThreeCommands()
    {
        var service = new CommandService();
        var request = Stanza.Iq("<query xmlns='http://jabber.org/protocol/disco#items' node='http://jabber.org/protocol/commands'/>");

        var response = Stanza.AssertResult(await service.SendAsync(request), request);

        var query = Assert.Single(response.Elements(DiscoItems + "query"));
        Assert.Equal("http://jabber.org/protocol/commands", (string?)query.Attribute("node"));
        Assert.Equal(
            [
                ("upload.montague.tld", "usage", "Show my upload usage"),
                ("upload.montague.tld", "files", "List my uploaded files"),
                ("upload.montague.tld", "delete", "Delete one of my files"),
            ],
            query.Elements(DiscoItems + "item").Select(i => ((string?)i.Attribute("jid"), (string?)i.Attribute("node"), (string?)i.Attribute("name"))));
    }

    [Fact]
    public async Task DiscoItems_OnTheCommandsNode_ForAnUnservedDomain_ListsNothing()
    {
        var service = new CommandService();
        var request = Stanza.Iq("<query xmlns='http://jabber.org/protocol/disco#items' node='http://jabber.org/protocol/commands'/>", from: CommandService.Juliet);

        var response = Stanza.AssertResult(await service.SendAsync(request), request);

        Assert.Empty(response.Descendants(DiscoItems + "item"));
    }

    [Theory]
    [InlineData("usage", "Show my upload usage")]
    [InlineData("files", "List my uploaded files")]
    [InlineData("delete", "Delete one of my files")]
    public async Task DiscoInfo_OnACommandNode_IsACommandNodeWithDataForms(string node, string name)
    {
        var service = new CommandService();
        var request = Stanza.Iq($"<query xmlns='http://jabber.org/protocol/disco#info' node='{node}'/>");

        var response = Stanza.AssertResult(await service.SendAsync(request), request);

        var query = Assert.Single(response.Elements(DiscoInfo + "query"));
        Assert.Equal(node, (string?)query.Attribute("node"));
        var identity = Assert.Single(query.Elements(DiscoInfo + "identity"));
        Assert.Equal(("automation", "command-node", name), ((string?)identity.Attribute("category"), (string?)identity.Attribute("type"), (string?)identity.Attribute("name")));
        Assert.Equal(
            ["http://jabber.org/protocol/commands", "jabber:x:data"],
            query.Elements(DiscoInfo + "feature").Select(f => (string?)f.Attribute("var")));
    }

    [Fact]
    public async Task DiscoInfo_OnTheCommandsNode_IsACommandList()
    {
        var service = new CommandService();
        var request = Stanza.Iq("<query xmlns='http://jabber.org/protocol/disco#info' node='http://jabber.org/protocol/commands'/>");

        var response = Stanza.AssertResult(await service.SendAsync(request), request);

        var identity = Assert.Single(response.Descendants(DiscoInfo + "identity"));
        Assert.Equal(("automation", "command-list"), ((string?)identity.Attribute("category"), (string?)identity.Attribute("type")));
    }

    [Fact]
    public async Task DiscoInfo_OnAnUnknownNode_IsItemNotFound()
    {
        var service = new CommandService();
        var request = Stanza.Iq("<query xmlns='http://jabber.org/protocol/disco#info' node='purge-everything'/>");

        Stanza.AssertError(await service.SendAsync(request), request, "item-not-found", "cancel");
    }
}
