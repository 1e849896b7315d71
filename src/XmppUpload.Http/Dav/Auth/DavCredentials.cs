using XmppUpload.Core.Addressing;

namespace XmppUpload.Http.Dav.Auth;

/// <summary>What an XEP-0070 Authorization header says: the JID (as given, full or bare) and the transaction id, both percent-decoded.</summary>
internal sealed record DavCredentials(Jid Jid, string TransactionId);
