namespace XmppUpload.Core.Ports;

/// <summary>
/// A lease this node holds. <see cref="Lost"/> fires as soon as the holder can no longer be sure it still holds it
/// (the lease store went away), after which another node may take it; the holder must stop acting on it at once.
/// Disposing releases the lease without delay.
/// </summary>
public interface ILinkLease : IAsyncDisposable
{
    /// <summary>The name the lease was taken under.</summary>
    string Name { get; }

    /// <summary>Cancelled when the lease is lost; never cancelled by a release through <see cref="IAsyncDisposable.DisposeAsync"/>.</summary>
    CancellationToken Lost { get; }
}
