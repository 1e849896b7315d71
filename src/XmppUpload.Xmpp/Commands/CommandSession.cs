namespace XmppUpload.Xmpp.Commands;

/// <summary>
/// A multi-stage command in progress. It belongs to the full JID that started it, <see cref="Requester"/> (XEP-0050
/// section 5: a session id must not let another entity continue it), whose bare JID is <see cref="Account"/>; to one
/// command node; and it ends at <see cref="ExpiresAt"/>. <see cref="Choices"/> is what its last stage offered.
/// </summary>
internal sealed record CommandSession(
    string Id,
    string Requester,
    string Account,
    string Node,
    DateTimeOffset ExpiresAt,
    IReadOnlyDictionary<string, string> Choices);
