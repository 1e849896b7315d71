using System.Xml.Linq;

namespace XmppUpload.Xmpp.Component;

/// <summary>Sends stanzas over the component link; safe to call from many tasks at once (writes are serialized).</summary>
public interface IStanzaSender
{
    /// <summary>
    /// Writes one stanza (<c>iq</c>, <c>message</c> or <c>presence</c>). A stanza without <c>from</c> is sent from the
    /// component's domain. Throws <see cref="XmppLinkUnavailableException"/> when the link is down or drops during the write.
    /// </summary>
    ValueTask SendAsync(XElement stanza, CancellationToken cancellationToken);
}
