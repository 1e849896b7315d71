using System.Xml.Linq;
using XmppUpload.Xmpp.Tests.Support;

namespace XmppUpload.Xmpp.Tests.Commands;

public sealed class DeleteCommandTests
{
    [Fact]
    public async Task Delete_FirstStage_OffersTheRequestersFilesInAListSingle()
    {
        var service = new CommandService();
        var mine = service.AddFile(CommandService.RomeoOwner, "photo.jpg", 1536);
        service.AddFile("benvolio@montague.tld", "theirs.txt", 5);

        var command = await service.RunAsync(CommandService.Execute("delete"));

        Assert.Equal("executing", (string?)command.Attribute("status"));
        Assert.False(string.IsNullOrEmpty((string?)command.Attribute("sessionid")));
        var actions = Assert.Single(command.Elements(CommandService.Commands + "actions"));
        Assert.Equal("complete", (string?)actions.Attribute("execute"));
        Assert.Equal([CommandService.Commands + "complete"], actions.Elements().Select(e => e.Name));
        var form = Assert.Single(command.Elements(CommandService.DataForms + "x"));
        Assert.Equal("form", (string?)form.Attribute("type"));
        var field = Assert.Single(form.Elements(CommandService.DataForms + "field"));
        Assert.Equal(("file", "list-single"), ((string?)field.Attribute("var"), (string?)field.Attribute("type")));
        Assert.NotNull(field.Element(CommandService.DataForms + "required"));
        var option = Assert.Single(field.Elements(CommandService.DataForms + "option"));
        Assert.Equal("photo.jpg (1.5 KiB)", (string?)option.Attribute("label"));
        Assert.Equal(mine, option.Element(CommandService.DataForms + "value")?.Value);
    }

    [Theory]
    [InlineData("complete")]
    [InlineData("execute")]
    [InlineData(null)]
    public async Task Delete_TwoStages_DeletesExactlyTheChosenFile(string? action)
    {
        var service = new CommandService();
        var keep = service.AddFile(CommandService.RomeoOwner, "keep.txt", 10);
        var chosen = service.AddFile(CommandService.RomeoOwner, "drop.txt", 20);
        var theirs = service.AddFile("benvolio@montague.tld", "theirs.txt", 30);
        var first = await service.RunAsync(CommandService.Execute("delete"));
        var sessionId = (string)first.Attribute("sessionid")!;

        var second = await service.RunAsync(CommandService.Execute("delete", action: action, sessionId: sessionId, form: CommandService.Submit(chosen), id: "cmd2"));

        Assert.Equal("completed", (string?)second.Attribute("status"));
        Assert.Equal(sessionId, (string?)second.Attribute("sessionid"));
        Assert.Equal([("info", "Deleted drop.txt (20 bytes).")], CommandService.Notes(second));
        Assert.False(service.IsServed(chosen));
        Assert.True(service.IsServed(keep));
        Assert.True(service.IsServed(theirs));
        Assert.Equal(0, service.Sessions.Count);
    }

    [Fact]
    public async Task Delete_AnotherUsersFile_IsRefusedAndTheFileStays()
    {
        var service = new CommandService();
        service.AddFile(CommandService.RomeoOwner, "mine.txt", 10);
        var theirs = service.AddFile("benvolio@montague.tld", "theirs.txt", 30);
        var first = await service.RunAsync(CommandService.Execute("delete"));
        var request = CommandService.Execute("delete", action: "complete", sessionId: (string)first.Attribute("sessionid")!, form: CommandService.Submit(theirs), id: "cmd2");

        var error = Stanza.AssertError(await service.SendAsync(request), request, "bad-request", "modify");

        Assert.NotNull(error.Element(CommandService.Commands + "bad-payload"));
        Assert.True(service.IsServed(theirs));
        Assert.Equal(2, service.Service.Ledger.Slots.Values.Count(s => s.State == Core.Slots.SlotState.Stored));
    }

    [Fact]
    public async Task Delete_AfterARefusedValue_TheSessionCanStillComplete()
    {
        var service = new CommandService();
        var mine = service.AddFile(CommandService.RomeoOwner, "mine.txt", 10);
        var first = await service.RunAsync(CommandService.Execute("delete"));
        var sessionId = (string)first.Attribute("sessionid")!;
        var wrong = CommandService.Execute("delete", action: "complete", sessionId: sessionId, form: CommandService.Submit("not-a-slot"), id: "cmd2");
        Stanza.AssertError(await service.SendAsync(wrong), wrong, "bad-request", "modify");

        var second = await service.RunAsync(CommandService.Execute("delete", action: "complete", sessionId: sessionId, form: CommandService.Submit(mine), id: "cmd3"));

        Assert.Equal("completed", (string?)second.Attribute("status"));
        Assert.False(service.IsServed(mine));
    }

    [Fact]
    public async Task Delete_SessionOfAnotherJid_IsRefusedAndNothingIsDeleted()
    {
        var service = new CommandService();
        var mine = service.AddFile(CommandService.RomeoOwner, "mine.txt", 10);
        var first = await service.RunAsync(CommandService.Execute("delete"));
        var sessionId = (string)first.Attribute("sessionid")!;

        foreach (var intruder in new[] { "benvolio@montague.tld/street", "romeo@montague.tld/phone" })
        {
            var request = CommandService.Execute("delete", from: intruder, action: "complete", sessionId: sessionId, form: CommandService.Submit(mine), id: "cmd2");

            var error = Stanza.AssertError(await service.SendAsync(request), request, "bad-request", "modify");

            Assert.NotNull(error.Element(CommandService.Commands + "bad-sessionid"));
        }

        Assert.True(service.IsServed(mine));
        // The owner's session is untouched by the attempts.
        var own = await service.RunAsync(CommandService.Execute("delete", action: "complete", sessionId: sessionId, form: CommandService.Submit(mine), id: "cmd3"));
        Assert.Equal("completed", (string?)own.Attribute("status"));
    }

    [Fact]
    public async Task Delete_Cancel_EndsTheSessionAndDeletesNothing()
    {
        var service = new CommandService();
        var mine = service.AddFile(CommandService.RomeoOwner, "mine.txt", 10);
        var first = await service.RunAsync(CommandService.Execute("delete"));
        var sessionId = (string)first.Attribute("sessionid")!;

        var canceled = await service.RunAsync(CommandService.Execute("delete", action: "cancel", sessionId: sessionId, id: "cmd2"));

        Assert.Equal("canceled", (string?)canceled.Attribute("status"));
        Assert.Equal(sessionId, (string?)canceled.Attribute("sessionid"));
        Assert.True(service.IsServed(mine));
        Assert.Equal(0, service.Sessions.Count);
        var late = CommandService.Execute("delete", action: "complete", sessionId: sessionId, form: CommandService.Submit(mine), id: "cmd3");
        var error = Stanza.AssertError(await service.SendAsync(late), late, "bad-request", "modify");
        Assert.NotNull(error.Element(CommandService.Commands + "bad-sessionid"));
        Assert.True(service.IsServed(mine));
    }

    [Fact]
    public async Task Delete_CancelForm_CancelsLikeTheCancelAction()
    {
        var service = new CommandService();
        var mine = service.AddFile(CommandService.RomeoOwner, "mine.txt", 10);
        var first = await service.RunAsync(CommandService.Execute("delete"));

        var canceled = await service.RunAsync(CommandService.Execute(
            "delete", sessionId: (string)first.Attribute("sessionid")!, form: "<x xmlns='jabber:x:data' type='cancel'/>", id: "cmd2"));

        Assert.Equal("canceled", (string?)canceled.Attribute("status"));
        Assert.True(service.IsServed(mine));
    }

    [Fact]
    public async Task Delete_AfterTheSessionExpired_IsSessionExpiredAndTheFileStays()
    {
        var service = new CommandService();
        var mine = service.AddFile(CommandService.RomeoOwner, "mine.txt", 10);
        var first = await service.RunAsync(CommandService.Execute("delete"));
        service.Service.Time.Advance(service.Sessions.Lifetime);
        var request = CommandService.Execute("delete", action: "complete", sessionId: (string)first.Attribute("sessionid")!, form: CommandService.Submit(mine), id: "cmd2");

        var error = Stanza.AssertError(await service.SendAsync(request), request, "not-allowed", "cancel");

        Assert.NotNull(error.Element(CommandService.Commands + "session-expired"));
        Assert.True(service.IsServed(mine));
    }

    [Fact]
    public async Task Delete_OfAFileThatExpiredMeanwhile_CompletesWithAnErrorNote()
    {
        var service = new CommandService();
        var mine = service.AddFile(CommandService.RomeoOwner, "brief.txt", 10, expiresIn: TimeSpan.FromMinutes(2));
        var first = await service.RunAsync(CommandService.Execute("delete"));
        var expire = await service.Accounts.ExpireStoredAsync(service.Service.Time.GetUtcNow() + TimeSpan.FromMinutes(2), 10, TestContext.Current.CancellationToken);
        Assert.Equal(1, expire);

        var second = await service.RunAsync(CommandService.Execute("delete", action: "complete", sessionId: (string)first.Attribute("sessionid")!, form: CommandService.Submit(mine), id: "cmd2"));

        Assert.Equal("completed", (string?)second.Attribute("status"));
        var note = Assert.Single(CommandService.Notes(second));
        Assert.Equal("error", note.Type);
        Assert.Contains("no longer stored", note.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_WithoutAForm_IsBadPayload()
    {
        var service = new CommandService();
        service.AddFile(CommandService.RomeoOwner, "mine.txt", 10);
        var first = await service.RunAsync(CommandService.Execute("delete"));
        var request = CommandService.Execute("delete", action: "complete", sessionId: (string)first.Attribute("sessionid")!, id: "cmd2");

        var error = Stanza.AssertError(await service.SendAsync(request), request, "bad-request", "modify");

        Assert.NotNull(error.Element(CommandService.Commands + "bad-payload"));
    }

    [Fact]
    public async Task Delete_WithNoFiles_CompletesAtOnceWithANote()
    {
        var service = new CommandService();

        var command = await service.RunAsync(CommandService.Execute("delete"));

        Assert.Equal("completed", (string?)command.Attribute("status"));
        Assert.Null(command.Element(CommandService.DataForms + "x"));
        Assert.Equal("info", Assert.Single(CommandService.Notes(command)).Type);
        Assert.Equal(0, service.Sessions.Count);
    }

    [Fact]
    public async Task Delete_NextAction_IsBadActionAndKeepsTheSession()
    {
        var service = new CommandService();
        var mine = service.AddFile(CommandService.RomeoOwner, "mine.txt", 10);
        var first = await service.RunAsync(CommandService.Execute("delete"));
        var request = CommandService.Execute("delete", action: "next", sessionId: (string)first.Attribute("sessionid")!, form: CommandService.Submit(mine), id: "cmd2");

        var error = Stanza.AssertError(await service.SendAsync(request), request, "bad-request", "modify");

        Assert.NotNull(error.Element(CommandService.Commands + "bad-action"));
        Assert.True(service.IsServed(mine));
        Assert.Equal(1, service.Sessions.Count);
    }

    [Fact]
    public async Task Delete_SessionIdUsedOnAnotherNode_IsBadSessionId()
    {
        var service = new CommandService();
        service.AddFile(CommandService.RomeoOwner, "mine.txt", 10);
        var first = await service.RunAsync(CommandService.Execute("delete"));
        var request = CommandService.Execute("files", action: "complete", sessionId: (string)first.Attribute("sessionid")!, id: "cmd2");

        var error = Stanza.AssertError(await service.SendAsync(request), request, "bad-request", "modify");

        Assert.NotNull(error.Element(XName.Get("bad-sessionid", "http://jabber.org/protocol/commands")));
    }
}
