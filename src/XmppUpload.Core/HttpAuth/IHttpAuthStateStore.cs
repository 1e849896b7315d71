using XmppUpload.Core.Addressing;

namespace XmppUpload.Core.HttpAuth;

/// <summary>
/// What XEP-0070 authentication remembers between requests: the Digest nonce counts already used (RFC 7616 section
/// 5.2) and the answers users gave to confirmation prompts. Behind a load balancer each request of a client may reach
/// another node, so a cluster keeps this where every node sees it; one node may keep it in memory.
/// </summary>
public interface IHttpAuthStateStore
{
    /// <summary>
    /// Records the use of <paramref name="nonceCount"/> with <paramref name="nonce"/>, atomically with the check that it
    /// was not used before (on any node) and that the nonce has had fewer than <paramref name="maxUsesPerNonce"/> uses.
    /// The record may be forgotten once <paramref name="nonceExpiresAt"/> has passed, when the nonce is refused anyway.
    /// </summary>
    Task<NonceCountUse> TryUseNonceCountAsync(
        string nonce, uint nonceCount, DateTimeOffset nonceExpiresAt, int maxUsesPerNonce, CancellationToken cancellationToken);

    /// <summary>
    /// The answer (<see cref="ConfirmationOutcome.Confirmed"/> or <see cref="ConfirmationOutcome.Denied"/>) last recorded
    /// for this (JID as given, transaction id) pair if it was given after <paramref name="answeredAfter"/>, else <c>null</c>.
    /// </summary>
    Task<ConfirmationOutcome?> FindAnswerAsync(Jid jid, string transactionId, DateTimeOffset answeredAfter, CancellationToken cancellationToken);

    /// <summary>
    /// Records the user's answer for the pair, replacing an earlier one; it may be forgotten after
    /// <paramref name="keepUntil"/>. The transaction id is a password: stores keep only a hash of it.
    /// </summary>
    Task RecordAnswerAsync(
        Jid jid, string transactionId, bool confirmed, DateTimeOffset answeredAt, DateTimeOffset keepUntil, CancellationToken cancellationToken);

    /// <summary>Forgets at most <paramref name="batchSize"/> expired records of each kind; returns how many went.</summary>
    Task<int> RemoveExpiredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken);
}
