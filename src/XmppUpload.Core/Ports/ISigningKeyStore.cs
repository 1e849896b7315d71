using XmppUpload.Core.Tokens;

namespace XmppUpload.Core.Ports;

/// <summary>
/// Where the keys that sign PUT tokens are kept, so that every node and every restart verifies the same tokens. Keys
/// come back in force only (<see cref="SigningKey.RetiresAt"/> not reached), newest activation first; a key past its
/// retirement is deleted by whichever call sees it first.
/// </summary>
public interface ISigningKeyStore
{
    /// <summary>The keys in force; creates the first key when there is none (callers starting at once agree on one).</summary>
    Task<IReadOnlyList<SigningKey>> GetOrCreateKeysAsync(TimeProvider time, CancellationToken cancellationToken);

    /// <summary>The keys in force, creating none: what an operator's listing shows.</summary>
    Task<IReadOnlyList<SigningKey>> GetKeysAsync(TimeProvider time, CancellationToken cancellationToken);

    /// <summary>
    /// Rotates the keys by <see cref="SigningKeySchedule.PlanRotation"/>, in one transaction that excludes any other
    /// rotation or first-key creation, so that callers rotating at once agree on one new key.
    /// </summary>
    Task<SigningKeyRotation> RotateKeysAsync(TimeProvider time, KeyRotationPolicy policy, CancellationToken cancellationToken);
}
