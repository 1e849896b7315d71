using System.Xml.Linq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using XmppUpload.Xmpp.Handlers;
using XmppUpload.Xmpp.Tests.Support;

namespace XmppUpload.Xmpp.Tests.Commands;

public sealed class CommandRegistrationTests
{
    private static readonly XNamespace DiscoItems = "http://jabber.org/protocol/disco#items";

    [Fact]
    public async Task AddXmppComponent_WithAnAccountService_OffersTheCommands()
    {
        var commands = new CommandService();
        await using var provider = Build(commands, withAccounts: true);
        var dispatcher = provider.GetRequiredService<StanzaDispatcher>();
        commands.AddFile(CommandService.RomeoOwner, "mine.txt", 10);

        var items = Stanza.Iq("<query xmlns='http://jabber.org/protocol/disco#items' node='http://jabber.org/protocol/commands'/>");
        var listed = Stanza.AssertResult(await dispatcher.RespondAsync(items, TestContext.Current.CancellationToken), items);
        var files = CommandService.Execute("files");
        var result = Stanza.AssertResult(await dispatcher.RespondAsync(files, TestContext.Current.CancellationToken), files);

        Assert.Equal(["usage", "files", "delete"], listed.Descendants(DiscoItems + "item").Select(i => (string?)i.Attribute("node")));
        Assert.Equal(["mine.txt"], CommandService.Rows(result.Elements(CommandService.Commands + "command").Single()).Select(r => r["name"]));
    }

    [Fact]
    public async Task AddXmppComponent_WithoutAnAccountService_AdvertisesNoCommands()
    {
        await using var provider = Build(new CommandService(), withAccounts: false);
        var dispatcher = provider.GetRequiredService<StanzaDispatcher>();

        var info = Stanza.Iq("<query xmlns='http://jabber.org/protocol/disco#info'/>");
        var features = Stanza.AssertResult(await dispatcher.RespondAsync(info, TestContext.Current.CancellationToken), info);
        var execute = CommandService.Execute("usage");

        Assert.DoesNotContain("http://jabber.org/protocol/commands", features.Descendants().Select(e => (string?)e.Attribute("var")));
        Stanza.AssertError(await dispatcher.RespondAsync(execute, TestContext.Current.CancellationToken), execute, "item-not-found", "cancel");
    }

    private static ServiceProvider Build(CommandService commands, bool withAccounts)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Xmpp:Domain"] = UploadService.Domain,
            ["Xmpp:Secret"] = "s3cret",
        }).Build());
        services.AddLogging();
        services.AddSingleton<TimeProvider>(commands.Service.Time);
        services.AddSingleton(commands.Service.Upload);
        services.AddSingleton(commands.Service.Slots);
        if (withAccounts)
        {
            services.AddSingleton(commands.AccountService);
        }

        services.AddXmppComponent();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
