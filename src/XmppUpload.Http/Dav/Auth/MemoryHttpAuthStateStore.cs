using XmppUpload.Core.Addressing;
using XmppUpload.Core.HttpAuth;

namespace XmppUpload.Http.Dav.Auth;

/// <summary>
/// <see cref="IHttpAuthStateStore"/> in this process's memory, bounded (<see cref="NonceCountGuard"/>,
/// <see cref="ConfirmedCredentialCache"/>): right for a single node, whose every request it sees. A cluster registers a
/// store in its shared ledger instead.
/// </summary>
public sealed class MemoryHttpAuthStateStore : IHttpAuthStateStore
{
    private readonly NonceCountGuard _nonceCounts;
    private readonly Lock _gate = new();
    private readonly ConfirmedCredentialCache _answers = new();

    public MemoryHttpAuthStateStore(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _nonceCounts = new NonceCountGuard(timeProvider);
    }

    public Task<NonceCountUse> TryUseNonceCountAsync(
        string nonce, uint nonceCount, DateTimeOffset nonceExpiresAt, int maxUsesPerNonce, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        return Task.FromResult(_nonceCounts.TryUse(nonce, nonceCount, nonceExpiresAt, maxUsesPerNonce));
    }

    public Task<ConfirmationOutcome?> FindAnswerAsync(Jid jid, string transactionId, DateTimeOffset answeredAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jid);
        ArgumentNullException.ThrowIfNull(transactionId);
        lock (_gate)
        {
            return Task.FromResult<ConfirmationOutcome?>(
                _answers.TryGet(jid, transactionId, answeredAfter, out var confirmed)
                    ? confirmed ? ConfirmationOutcome.Confirmed : ConfirmationOutcome.Denied
                    : null);
        }
    }

    public Task RecordAnswerAsync(
        Jid jid, string transactionId, bool confirmed, DateTimeOffset answeredAt, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jid);
        ArgumentNullException.ThrowIfNull(transactionId);
        lock (_gate)
        {
            _answers.Add(jid, transactionId, confirmed, answeredAt, keepUntil);
        }

        return Task.CompletedTask;
    }

    /// <remarks>Both tables are bounded and clean themselves as they fill; this only frees memory sooner.</remarks>
    public Task<int> RemoveExpiredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int answers;
        lock (_gate)
        {
            answers = _answers.RemoveExpired(now);
        }

        return Task.FromResult(answers + _nonceCounts.RemoveExpired(now));
    }
}
