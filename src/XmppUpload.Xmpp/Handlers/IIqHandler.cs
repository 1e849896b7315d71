using System.Xml.Linq;

namespace XmppUpload.Xmpp.Handlers;

/// <summary>Answers IQ gets and sets whose payload has the name <see cref="Payload"/>; the answer is never null.</summary>
internal interface IIqHandler
{
    XName Payload { get; }

    ValueTask<XElement> HandleAsync(IqRequest request, CancellationToken cancellationToken);
}
