using System.Xml.Linq;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Accounts;
using XmppUpload.Core.Slots;
using XmppUpload.Xmpp.Commands;
using XmppUpload.Xmpp.Handlers;

namespace XmppUpload.Xmpp.Tests.Support;

/// <summary>
/// The component's handlers with the XEP-0050 commands, over the real AccountService on in-memory ledgers and the fake
/// clock of an <see cref="UploadService"/>; helpers to seed files and to run commands as a given JID.
/// </summary>
internal sealed class CommandService
{
    public const string Juliet = "juliet@capulet.tld/balcony";
    public const string RomeoOwner = "romeo@montague.tld";

    public static readonly XNamespace Commands = "http://jabber.org/protocol/commands";
    public static readonly XNamespace DataForms = "jabber:x:data";

    public CommandService(int sessionCapacity = CommandSessions.DefaultCapacity)
    {
        Service = new UploadService();
        Accounts = new MemoryAccountLedger(Service.Ledger);
        AccountService = new AccountService(
            Accounts, Accounts, Blobs, new SlotUrls(new Uri("https://upload.montague.tld/files/")), Service.Upload, Service.Time);
        Catalog = new CommandCatalog(
            [new UsageCommand(AccountService), new FilesCommand(AccountService), new DeleteCommand(AccountService, NullLogger<DeleteCommand>.Instance)],
            Service.Slots);
        Sessions = new CommandSessions(Service.Time, sessionCapacity);
        Dispatcher = new StanzaDispatcher(
            [
                new DiscoInfoHandler(Service.Upload, Catalog),
                new DiscoItemsHandler(Catalog),
                new CommandHandler(Catalog, Sessions, NullLogger<CommandHandler>.Instance),
            ],
            Service.Pending,
            Options.Create(Service.XmppOptions),
            NullLogger<StanzaDispatcher>.Instance);
    }

    public UploadService Service { get; }

    public MemoryAccountLedger Accounts { get; }

    public MemoryBlobStore Blobs { get; } = new();

    public AccountService AccountService { get; }

    public CommandCatalog Catalog { get; }

    public CommandSessions Sessions { get; }

    public StanzaDispatcher Dispatcher { get; }

    /// <summary>A stored file of <paramref name="owner"/> (a bare JID), stored now; returns its slot id.</summary>
    public string AddFile(string owner, string name, long size, Purpose purpose = Purpose.Message, TimeSpan? expiresIn = null)
    {
        var now = Service.Time.GetUtcNow();
        var slot = new Slot
        {
            Id = SlotIds.New(),
            Owner = owner,
            FileName = name,
            Size = size,
            ContentType = "text/plain",
            Purpose = purpose,
            CreatedAt = now,
            PutDeadline = now + TimeSpan.FromMinutes(5),
            ExpiresAt = expiresIn is { } lifetime ? now + lifetime : null,
        };
        Service.Ledger.Slots[slot.Id] = Slot.Restore(slot, SlotState.Stored, now);
        // Distinct stored times keep "newest first" well defined.
        Service.Time.Advance(TimeSpan.FromSeconds(1));
        return slot.Id;
    }

    public bool IsServed(string slotId) =>
        Service.Ledger.Slots.TryGetValue(slotId, out var slot) && slot.IsServable(Service.Time.GetUtcNow());

    public static XElement Execute(string node, string from = Stanza.Romeo, string? action = null, string? sessionId = null, string form = "", string id = "cmd1")
    {
        var attributes = $"node='{node}'"
            + (action is null ? string.Empty : $" action='{action}'")
            + (sessionId is null ? string.Empty : $" sessionid='{sessionId}'");
        return Stanza.Iq($"<command xmlns='http://jabber.org/protocol/commands' {attributes}>{form}</command>", type: "set", id: id, from: from);
    }

    public static string Submit(string slotId) =>
        $"<x xmlns='jabber:x:data' type='submit'><field var='file'><value>{slotId}</value></field></x>";

    public async Task<XElement> SendAsync(XElement request)
    {
        var response = await Dispatcher.RespondAsync(request, TestContext.Current.CancellationToken);
        Assert.NotNull(response);
        return response;
    }

    /// <summary>Sends a command request that must succeed, and returns its &lt;command/&gt;.</summary>
    public async Task<XElement> RunAsync(XElement request)
    {
        var response = Stanza.AssertResult(await SendAsync(request), request);
        return Assert.Single(response.Elements(Commands + "command"));
    }

    /// <summary>The rows of a result form's table: one dictionary of var to value per item.</summary>
    public static IReadOnlyList<Dictionary<string, string>> Rows(XElement command) =>
        [.. command.Element(DataForms + "x")!.Elements(DataForms + "item").Select(item => item.Elements(DataForms + "field")
            .ToDictionary(f => (string)f.Attribute("var")!, f => f.Element(DataForms + "value")?.Value ?? string.Empty))];

    public static IReadOnlyList<(string Type, string Text)> Notes(XElement command) =>
        [.. command.Elements(Commands + "note").Select(n => ((string?)n.Attribute("type") ?? "info", n.Value))];
}
