using System.Security.Cryptography;

namespace XmppUpload.Core.Tokens;

/// <summary>
/// A secret that signs PUT tokens. A node verifies with every key it holds that has not retired, and signs with the
/// first of its keys that is active (see <see cref="SigningKeySchedule"/>).
/// </summary>
public sealed record SigningKey(string Id, byte[] Secret, DateTimeOffset CreatedAt)
{
    public const int SecretLength = 32;

    // Key ids travel in the token between dots: lower-case base32 has no dot and reads well in logs.
    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private const int IdLength = 8;

    /// <summary>
    /// From when the key signs. A rotated key is loaded by every node before this instant, so that no node ever
    /// receives a token signed by a key it does not hold; until then it only verifies.
    /// </summary>
    public DateTimeOffset ActivatesAt { get; init; } = CreatedAt;

    /// <summary>
    /// From when the key no longer verifies: when the last token it can have signed has expired. Null while no newer
    /// key replaces it.
    /// </summary>
    public DateTimeOffset? RetiresAt { get; init; }

    /// <summary>A new key with a random id and secret, active from <paramref name="createdAt"/>.</summary>
    public static SigningKey CreateRandom(DateTimeOffset createdAt) =>
        new(RandomNumberGenerator.GetString(IdAlphabet, IdLength), RandomNumberGenerator.GetBytes(SecretLength), createdAt);

    public bool IsRetiredAt(DateTimeOffset now) => RetiresAt is { } retiresAt && now >= retiresAt;

    public bool IsActiveAt(DateTimeOffset now) => ActivatesAt <= now && !IsRetiredAt(now);
}
