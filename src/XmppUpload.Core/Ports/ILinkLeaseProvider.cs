namespace XmppUpload.Core.Ports;

/// <summary>
/// Grants the component link of one XMPP server to one node of a cluster at a time. A lease is named after the XMPP
/// server and the component domain (<see cref="Cluster.LinkLeaseName"/>), so that nodes attached to different servers
/// or as different components never exclude each other.
/// </summary>
public interface ILinkLeaseProvider
{
    /// <summary>
    /// Takes the lease <paramref name="name"/> when nobody holds it. Returns at once: the lease, or who holds it now
    /// (<see cref="LinkLeaseAttempt.Holder"/>, when known). Throws when the lease store cannot be reached; the caller
    /// tries again later.
    /// </summary>
    Task<LinkLeaseAttempt> TryTakeAsync(string name, CancellationToken cancellationToken);
}
