using System.Xml.Linq;
using XmppUpload.Xmpp.Commands;
using XmppUpload.Xmpp.Protocol;

namespace XmppUpload.Xmpp.Handlers;

/// <summary>
/// XEP-0030 disco#items: the service itself has no items. On the node <c>http://jabber.org/protocol/commands</c> it lists
/// the ad-hoc commands (XEP-0050 section 2.2), filtered to the requester: accounts the commands are not for see none.
/// </summary>
internal sealed class DiscoItemsHandler : IIqHandler
{
    private static readonly XNamespace DiscoItems = XmppNames.DiscoItemsNamespace;

    private readonly CommandCatalog? _commands;

    public DiscoItemsHandler(CommandCatalog? commands = null)
    {
        _commands = commands;
    }

    public XName Payload { get; } = DiscoItems + "query";

    public ValueTask<XElement> HandleAsync(IqRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.IsGet)
        {
            return ValueTask.FromResult(request.GetOnly("Service discovery"));
        }

        var query = new XElement(Payload);
        var node = (string?)request.Payload.Attribute("node");
        if (node is not null)
        {
            query.SetAttributeValue("node", node);
        }

        if (node == AdHocNames.Namespace && _commands is not null && _commands.IsOfferedTo(request.From))
        {
            foreach (var command in _commands.Commands)
            {
                query.Add(new XElement(
                    DiscoItems + "item",
                    new XAttribute("jid", request.ComponentJid),
                    new XAttribute("node", command.Node),
                    new XAttribute("name", command.Name)));
            }
        }

        return ValueTask.FromResult(request.Result(query));
    }
}
