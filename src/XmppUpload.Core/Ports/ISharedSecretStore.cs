namespace XmppUpload.Core.Ports;

/// <summary>
/// Named secrets every node of a deployment reads alike (for example the key that signs WebDAV Digest nonces), kept
/// in the ledger so that a request may be answered by any node and a restart changes nothing.
/// </summary>
public interface ISharedSecretStore
{
    /// <summary>
    /// The secret called <paramref name="name"/>; when there is none yet, <paramref name="length"/> random bytes are
    /// stored under that name first. Of processes creating the same secret at once, the first to commit wins and all of
    /// them return its bytes.
    /// </summary>
    Task<byte[]> GetOrCreateSecretAsync(string name, int length, CancellationToken cancellationToken);
}
