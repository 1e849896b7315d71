namespace XmppUpload.Core.Tokens;

/// <summary>
/// The rules of a set of signing keys over time, shared by the nodes (which key signs, which verify) and by the ledgers
/// (what a rotation writes). Keys are given in order of preference: a ledger lists the newest activation first, a
/// configuration lists them as the operator wrote them.
/// </summary>
public static class SigningKeySchedule
{
    /// <summary>
    /// The key that signs at <paramref name="now"/>: the first active one. When none is active yet, which happens only on
    /// a node whose clock lags the one that created the keys, the key that activates first: every node already holds it,
    /// because a key leaves a ledger only after its successor has been active for a whole token lifetime.
    /// </summary>
    public static SigningKey? SignerAt(IReadOnlyList<SigningKey> keys, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(keys);
        SigningKey? earliest = null;
        foreach (var key in keys)
        {
            if (key.IsActiveAt(now))
            {
                return key;
            }

            if (!key.IsRetiredAt(now) && (earliest is null || key.ActivatesAt < earliest.ActivatesAt))
            {
                earliest = key;
            }
        }

        return earliest;
    }

    /// <summary>The key named <paramref name="keyId"/>, whether or not it has retired; null when the set does not hold it.</summary>
    public static SigningKey? Find(IReadOnlyList<SigningKey> keys, string keyId)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            if (string.Equals(key.Id, keyId, StringComparison.Ordinal))
            {
                return key;
            }
        }

        return null;
    }

    /// <summary>
    /// What a rotation at <paramref name="now"/> does to the keys in force (none retired). With no key, it creates the
    /// first one, active at once, as a first start does. While the newest key is still waiting for its activation, a
    /// rotation is already under way and another one adds nothing: operators or nodes rotating at once agree on one key.
    /// Otherwise it adds a key that signs from <c>now + ActivationDelay</c> and sets every key without a retirement to
    /// retire a whole token lifetime after that activation, when the last token such a key can sign has expired.
    /// </summary>
    public static SigningKeyRotation PlanRotation(IReadOnlyList<SigningKey> keysInForce, DateTimeOffset now, KeyRotationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(keysInForce);
        ArgumentNullException.ThrowIfNull(policy);
        if (keysInForce.Count == 0)
        {
            return new SigningKeyRotation(SigningKey.CreateRandom(now), null, [], Added: true);
        }

        var newest = keysInForce.MaxBy(k => k.ActivatesAt)!;
        if (newest.ActivatesAt > now)
        {
            return new SigningKeyRotation(newest, SignerAt(keysInForce, now), [], Added: false);
        }

        var key = SigningKey.CreateRandom(now) with { ActivatesAt = now + policy.ActivationDelay };
        var retiresAt = key.ActivatesAt + policy.MaxTokenLifetime;
        var retiring = keysInForce.Where(k => k.RetiresAt is null).Select(k => k with { RetiresAt = retiresAt }).ToList();
        var signer = SignerAt(keysInForce, now);
        var replaced = signer is null ? null : Find(retiring, signer.Id) ?? signer;
        return new SigningKeyRotation(key, replaced, retiring, Added: true);
    }
}
