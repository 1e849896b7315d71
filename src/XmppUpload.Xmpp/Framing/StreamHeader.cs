namespace XmppUpload.Xmpp.Framing;

/// <summary>
/// The server's <c>&lt;stream:stream&gt;</c> tag: its stream id (the handshake salt, XEP-0114 section 3) and the
/// namespace declarations and language that every stanza of the stream inherits.
/// </summary>
internal sealed record StreamHeader(
    string? Id,
    string? From,
    string? Language,
    IReadOnlyList<KeyValuePair<string, string>> Namespaces);
