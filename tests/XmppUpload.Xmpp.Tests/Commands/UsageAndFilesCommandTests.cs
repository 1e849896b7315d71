using XmppUpload.Core.Slots;
using XmppUpload.Xmpp.Tests.Support;

namespace XmppUpload.Xmpp.Tests.Commands;

public sealed class UsageAndFilesCommandTests
{
    [Fact]
    public async Task Usage_CompletesInOneStageWithARowPerBucket()
    {
        var service = new CommandService();
        service.AddFile(CommandService.RomeoOwner, "a.txt", 300);
        service.AddFile(CommandService.RomeoOwner, "b.txt", 200);
        service.AddFile(CommandService.RomeoOwner, "me.png", 50, Purpose.Profile);
        service.AddFile("benvolio@montague.tld", "other.txt", 999);

        var command = await service.RunAsync(CommandService.Execute("usage"));

        Assert.Equal("completed", (string?)command.Attribute("status"));
        Assert.Equal("usage", (string?)command.Attribute("node"));
        Assert.False(string.IsNullOrEmpty((string?)command.Attribute("sessionid")));
        Assert.Null(command.Element(CommandService.Commands + "actions"));
        Assert.Equal("result", (string?)command.Element(CommandService.DataForms + "x")?.Attribute("type"));
        var rows = CommandService.Rows(command).ToDictionary(r => r["purpose"]);
        Assert.Equal(["message", "profile", "ephemeral", "permanent"], rows.Keys);
        Assert.Equal(("500", "2", "0"), (rows["message"]["stored-bytes"], rows["message"]["files"], rows["message"]["reserved-bytes"]));
        Assert.Equal(("50", "1"), (rows["profile"]["stored-bytes"], rows["profile"]["files"]));
        Assert.Equal("1073741824", rows["message"]["quota-bytes"]);
        Assert.Equal("500 bytes of 1 GiB (0%)", rows["message"]["used"]);
        Assert.Equal("for 30 days", rows["message"]["retention"]);
        Assert.Equal("kept until deleted", rows["permanent"]["retention"]);
        Assert.Equal("your oldest files are removed", rows["message"]["over-quota"]);
        Assert.Equal("new uploads are refused", rows["profile"]["over-quota"]);
        Assert.Contains(CommandService.Notes(command), n => n.Type == "info");
    }

    [Fact]
    public async Task Usage_CountsAGrantedSlotAsReserved()
    {
        var service = new CommandService();
        var decision = await service.Service.Slots.RequestAsync(
            Core.Addressing.Jid.Parse(Stanza.Romeo), new SlotRequest("big.bin", 700, null, Purpose.Message, null), TestContext.Current.CancellationToken);
        Assert.NotNull(decision.Granted);

        var command = await service.RunAsync(CommandService.Execute("usage"));

        Assert.Equal("700", CommandService.Rows(command).Single(r => r["purpose"] == "message")["reserved-bytes"]);
    }

    [Fact]
    public async Task Files_ListsOnlyTheRequestersFilesNewestFirst()
    {
        var service = new CommandService();
        var first = service.AddFile(CommandService.RomeoOwner, "first.txt", 10);
        var second = service.AddFile(CommandService.RomeoOwner, "second file.jpg", 2048, Purpose.Ephemeral, expiresIn: TimeSpan.FromDays(1));
        service.AddFile("benvolio@montague.tld", "secret.txt", 5);
        var expiresAt = Core.Addressing.XmppDateTime.Format(service.Service.Ledger.Slots[second].ExpiresAt!.Value);

        var command = await service.RunAsync(CommandService.Execute("files"));

        Assert.Equal("completed", (string?)command.Attribute("status"));
        var rows = CommandService.Rows(command);
        Assert.Equal(["second file.jpg", "first.txt"], rows.Select(r => r["name"]));
        Assert.Equal("2 KiB", rows[0]["size"]);
        Assert.Equal("2048", rows[0]["bytes"]);
        Assert.Equal("ephemeral", rows[0]["purpose"]);
        Assert.Equal(expiresAt, rows[0]["expires"]);
        Assert.Equal($"https://upload.montague.tld/files/{second}/second%20file.jpg", rows[0]["url"]);
        Assert.Equal("never", rows[1]["expires"]);
        Assert.Equal($"https://upload.montague.tld/files/{first}/first.txt", rows[1]["url"]);
        Assert.DoesNotContain(rows, r => r["name"] == "secret.txt");
    }

    [Fact]
    public async Task Files_WithNoFiles_SaysSoInANote()
    {
        var service = new CommandService();
        service.AddFile("benvolio@montague.tld", "secret.txt", 5);

        var command = await service.RunAsync(CommandService.Execute("files"));

        Assert.Equal("completed", (string?)command.Attribute("status"));
        Assert.Null(command.Element(CommandService.DataForms + "x"));
        var note = Assert.Single(CommandService.Notes(command));
        Assert.Equal("info", note.Type);
        Assert.Contains("no uploaded files", note.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_LeavesOutExpiredFiles()
    {
        var service = new CommandService();
        service.AddFile(CommandService.RomeoOwner, "soon.txt", 10, expiresIn: TimeSpan.FromMinutes(1));
        service.AddFile(CommandService.RomeoOwner, "kept.txt", 10);
        service.Service.Time.Advance(TimeSpan.FromMinutes(1));

        var command = await service.RunAsync(CommandService.Execute("files"));

        Assert.Equal(["kept.txt"], CommandService.Rows(command).Select(r => r["name"]));
    }
}
