using System.Xml.Linq;
using XmppUpload.Xmpp.Protocol;

namespace XmppUpload.Xmpp.Handlers;

/// <summary>XEP-0030 disco#items: the service has no items, so the answer is an empty query.</summary>
internal sealed class DiscoItemsHandler : IIqHandler
{
    public XName Payload { get; } = XName.Get("query", XmppNames.DiscoItemsNamespace);

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

        return ValueTask.FromResult(request.Result(query));
    }
}
