namespace XmppUpload.Xmpp.Framing;

/// <summary>The RFC 6120 section 4.9.3 stream error conditions this service sends.</summary>
internal enum StreamErrorCondition
{
    BadFormat,
    InvalidNamespace,
    NotWellFormed,
    PolicyViolation,
    RestrictedXml,
    UnsupportedEncoding,
    UnsupportedStanzaType,
    ConnectionTimeout,
    InternalServerError,
    SystemShutdown,
}
