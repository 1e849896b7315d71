namespace XmppUpload.Xmpp.Component;

/// <summary>How a session ended, and whether it had been authenticated (which resets the reconnect backoff).</summary>
internal sealed record SessionEnd(SessionEndReason Reason, bool WasAuthenticated, string Detail, string? Condition = null, Exception? Exception = null);
