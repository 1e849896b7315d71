using XmppUpload.Core.Addressing;

namespace XmppUpload.Core.HttpAuth;

/// <summary>
/// One XEP-0070 confirmation: ask <see cref="Jid"/> whether the HTTP request (<see cref="Method"/> on <see cref="Url"/>)
/// with transaction identifier <see cref="TransactionId"/> is theirs. A full JID is asked by IQ, a bare JID by
/// message (XEP-0070 section 4.2).
/// </summary>
public sealed record ConfirmationRequest(Jid Jid, string TransactionId, string Method, Uri Url, TimeSpan Timeout);
