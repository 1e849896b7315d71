namespace XmppUpload.Xmpp.Component;

/// <summary>A stanza could not be sent because the component link is down or dropped while writing.</summary>
public sealed class XmppLinkUnavailableException : Exception
{
    public XmppLinkUnavailableException()
        : this("The XMPP component link is not connected.")
    {
    }

    public XmppLinkUnavailableException(string message)
        : base(message)
    {
    }

    public XmppLinkUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
