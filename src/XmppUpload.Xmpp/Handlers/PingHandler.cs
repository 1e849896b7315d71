using System.Xml.Linq;
using XmppUpload.Xmpp.Protocol;

namespace XmppUpload.Xmpp.Handlers;

/// <summary>XEP-0199 section 4.2: a ping is answered with an empty result.</summary>
internal sealed class PingHandler : IIqHandler
{
    public XName Payload { get; } = XName.Get("ping", XmppNames.PingNamespace);

    public ValueTask<XElement> HandleAsync(IqRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ValueTask.FromResult(request.IsGet ? request.Result() : request.GetOnly("Ping"));
    }
}
