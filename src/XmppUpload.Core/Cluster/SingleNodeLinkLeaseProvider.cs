using XmppUpload.Core.Ports;

namespace XmppUpload.Core.Cluster;

/// <summary>The lease of a node that runs alone (SQLite): always granted, never lost.</summary>
public sealed class SingleNodeLinkLeaseProvider : ILinkLeaseProvider
{
    public Task<LinkLeaseAttempt> TryTakeAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(LinkLeaseAttempt.Taken(new Lease(name)));
    }

    private sealed class Lease(string name) : ILinkLease
    {
        public string Name => name;

        public CancellationToken Lost => CancellationToken.None;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
