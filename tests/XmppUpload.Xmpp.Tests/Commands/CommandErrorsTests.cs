using XmppUpload.Xmpp.Tests.Support;

namespace XmppUpload.Xmpp.Tests.Commands;

public sealed class CommandErrorsTests
{
    [Fact]
    public async Task Execute_UnknownNode_IsItemNotFound()
    {
        var service = new CommandService();
        var request = CommandService.Execute("purge-everything");

        var error = Stanza.AssertError(await service.SendAsync(request), request, "item-not-found", "cancel");

        Assert.Contains("purge-everything", Stanza.Text(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_FromAnUnservedDomain_IsForbiddenAndListsNothing()
    {
        var service = new CommandService();
        service.AddFile("juliet@capulet.tld", "hers.txt", 10);
        var request = CommandService.Execute("files", from: CommandService.Juliet);

        var response = await service.SendAsync(request);

        Stanza.AssertError(response, request, "forbidden", "auth");
        Assert.DoesNotContain("hers.txt", response.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_WithIqGet_IsBadRequest()
    {
        var service = new CommandService();
        var request = Stanza.Iq("<command xmlns='http://jabber.org/protocol/commands' node='usage' action='execute'/>", type: "get");

        Stanza.AssertError(await service.SendAsync(request), request, "bad-request", "modify");
    }

    [Fact]
    public async Task Execute_WithoutNode_IsBadRequest()
    {
        var service = new CommandService();
        var request = Stanza.Iq("<command xmlns='http://jabber.org/protocol/commands' action='execute'/>", type: "set");

        Stanza.AssertError(await service.SendAsync(request), request, "bad-request", "modify");
    }

    [Fact]
    public async Task Execute_WithUnknownAction_IsMalformedAction()
    {
        var service = new CommandService();
        var request = CommandService.Execute("usage", action: "explode");

        var error = Stanza.AssertError(await service.SendAsync(request), request, "bad-request", "modify");

        Assert.NotNull(error.Element(CommandService.Commands + "malformed-action"));
    }

    [Fact]
    public async Task Complete_WithoutASession_IsBadAction()
    {
        var service = new CommandService();
        var request = CommandService.Execute("delete", action: "complete");

        var error = Stanza.AssertError(await service.SendAsync(request), request, "bad-request", "modify");

        Assert.NotNull(error.Element(CommandService.Commands + "bad-action"));
    }

    [Fact]
    public async Task Continue_WithAnUnknownSessionId_IsBadSessionId()
    {
        var service = new CommandService();
        var request = CommandService.Execute("delete", action: "complete", sessionId: "0123456789abcdef0123456789abcdef");

        var error = Stanza.AssertError(await service.SendAsync(request), request, "bad-request", "modify");

        Assert.NotNull(error.Element(CommandService.Commands + "bad-sessionid"));
    }

    [Fact]
    public async Task Start_WhenTheNodeHoldsTooManySessions_IsServiceUnavailableWait()
    {
        var service = new CommandService(sessionCapacity: 1);
        service.AddFile(CommandService.RomeoOwner, "mine.txt", 10);
        service.AddFile("benvolio@montague.tld", "theirs.txt", 10);
        await service.RunAsync(CommandService.Execute("delete"));
        var request = CommandService.Execute("delete", from: "benvolio@montague.tld/street", id: "cmd2");

        Stanza.AssertError(await service.SendAsync(request), request, "service-unavailable", "wait");
    }
}
