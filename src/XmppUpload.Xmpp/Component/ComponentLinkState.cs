namespace XmppUpload.Xmpp.Component;

/// <summary>Where the component link is in its life; only <see cref="Connected"/> carries stanzas.</summary>
public enum ComponentLinkState
{
    /// <summary>Not started, or stopped with the host.</summary>
    Stopped,

    /// <summary>Opening the TCP connection, the stream and the handshake.</summary>
    Connecting,

    /// <summary>Authenticated by the server (XEP-0114 handshake done): stanzas flow.</summary>
    Connected,

    /// <summary>
    /// The last attempt failed or the link dropped; waiting for the backoff delay before the next attempt. Also while
    /// the lease store (PostgreSQL) cannot be reached, so that this node cannot learn whether it may hold the link.
    /// </summary>
    WaitingToReconnect,

    /// <summary>Another node of the cluster holds the component link; this one takes it over when that node goes away.</summary>
    Standby,
}
