using XmppUpload.Core.Ports;
using XmppUpload.Core.Tokens;

namespace XmppUpload.Node.Tests.Support;

/// <summary>A real ledger's key store, counting how often a node reads it.</summary>
public sealed class CountingKeyStore(ISigningKeyStore ledger) : ISigningKeyStore
{
    private int _reads;

    /// <summary>Reads of the keys (<see cref="GetKeysAsync"/> and <see cref="GetOrCreateKeysAsync"/>) so far.</summary>
    public int Reads => Volatile.Read(ref _reads);

    public Task<IReadOnlyList<SigningKey>> GetOrCreateKeysAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return ledger.GetOrCreateKeysAsync(time, cancellationToken);
    }

    public Task<IReadOnlyList<SigningKey>> GetKeysAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return ledger.GetKeysAsync(time, cancellationToken);
    }

    public Task<SigningKeyRotation> RotateKeysAsync(TimeProvider time, KeyRotationPolicy policy, CancellationToken cancellationToken) =>
        ledger.RotateKeysAsync(time, policy, cancellationToken);
}
