namespace XmppUpload.Core.Cluster;

/// <summary>One handler on one channel; disposing it ends the subscription.</summary>
public sealed class NodeBusSubscription : IAsyncDisposable
{
    private readonly NodeBusSubscriptions _owner;

    internal NodeBusSubscription(NodeBusSubscriptions owner, string channel, Action<string> handler)
    {
        _owner = owner;
        Channel = channel;
        Handler = handler;
    }

    public string Channel { get; }

    public Action<string> Handler { get; }

    /// <summary>Completed by a bus once messages on the channel reach this node (a remote bus listens first).</summary>
    public TaskCompletionSource Active { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ValueTask DisposeAsync()
    {
        _owner.Remove(this);
        return ValueTask.CompletedTask;
    }
}
