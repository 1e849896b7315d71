namespace XmppUpload.Xmpp.Commands;

/// <summary>What <see cref="CommandSessions.Find"/> found for a requester's session id.</summary>
internal enum SessionLookup
{
    Found,

    /// <summary>No session of this requester has the id (another JID's session is indistinguishable from none).</summary>
    Unknown,

    /// <summary>The requester's session existed but its lifetime has passed; it is removed.</summary>
    Expired,
}
