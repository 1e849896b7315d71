namespace XmppUpload.Core.Tokens;

/// <summary>The outcome of a key rotation.</summary>
/// <param name="Key">The key the rotation added, or, when <paramref name="Added"/> is false, the key of the rotation already under way.</param>
/// <param name="Replaced">The key that signs until <paramref name="Key"/> activates, with its retirement; null for a ledger's first key.</param>
/// <param name="Retiring">The keys whose retirement this rotation set (what a ledger writes besides the new key).</param>
/// <param name="Added">Whether this rotation added <paramref name="Key"/>.</param>
public sealed record SigningKeyRotation(SigningKey Key, SigningKey? Replaced, IReadOnlyList<SigningKey> Retiring, bool Added);
