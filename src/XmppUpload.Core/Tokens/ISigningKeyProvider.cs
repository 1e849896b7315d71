namespace XmppUpload.Core.Tokens;

/// <summary>The signing keys a node holds now, and a way to look for one it does not hold.</summary>
public interface ISigningKeyProvider
{
    /// <summary>The keys in order of preference (see <see cref="SigningKeySchedule"/>); read on every token, so a reload needs no restart.</summary>
    IReadOnlyList<SigningKey> Keys { get; }

    /// <summary>
    /// Called when a token names a key that <see cref="Keys"/> does not hold: loads the keys again if that is allowed
    /// now (a provider limits how often, since anyone can send a made-up key id) and says whether the key is held now.
    /// </summary>
    ValueTask<bool> TryLoadUnknownKeyAsync(string keyId, CancellationToken cancellationToken);
}
