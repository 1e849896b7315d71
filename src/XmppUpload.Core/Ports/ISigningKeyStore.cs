using XmppUpload.Core.Tokens;

namespace XmppUpload.Core.Ports;

/// <summary>Where the keys that sign PUT tokens are kept, so that every node and every restart verifies the same tokens.</summary>
public interface ISigningKeyStore
{
    /// <summary>The keys in force, newest first; creates the first key when there is none.</summary>
    Task<IReadOnlyList<SigningKey>> GetOrCreateKeysAsync(TimeProvider time, CancellationToken cancellationToken);
}
