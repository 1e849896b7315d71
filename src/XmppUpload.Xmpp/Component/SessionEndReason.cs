namespace XmppUpload.Xmpp.Component;

/// <summary>Why a session with the XMPP server ended.</summary>
internal enum SessionEndReason
{
    /// <summary>The host is stopping; the stream was closed politely.</summary>
    Stopped,

    /// <summary>The TCP connection could not be opened.</summary>
    ConnectFailed,

    /// <summary>The server answered the handshake with <c>not-authorized</c>.</summary>
    WrongSecret,

    /// <summary>The server closed the stream with another stream error.</summary>
    StreamErrorReceived,

    /// <summary>The server broke the stream and this side closed it with a stream error.</summary>
    StreamErrorSent,

    /// <summary>The server closed the stream or the connection, or the connection broke.</summary>
    ConnectionLost,

    /// <summary>Connecting, the handshake or a write took longer than allowed.</summary>
    TimedOut,
}
