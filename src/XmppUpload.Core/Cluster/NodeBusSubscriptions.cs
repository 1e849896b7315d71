namespace XmppUpload.Core.Cluster;

/// <summary>
/// A bus's subscriptions by channel, and the hand-over of a message to those of its channel: the part every
/// <see cref="Ports.INodeBus"/> shares, whatever carries its messages. Safe to use from any thread.
/// </summary>
public sealed class NodeBusSubscriptions
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<NodeBusSubscription>> _byChannel = new(StringComparer.Ordinal);

    /// <summary>Adds a subscription; disposing it removes it again.</summary>
    public NodeBusSubscription Add(string channel, Action<string> handler)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = new NodeBusSubscription(this, channel, handler);
        lock (_gate)
        {
            if (!_byChannel.TryGetValue(channel, out var list))
            {
                _byChannel[channel] = list = [];
            }

            list.Add(subscription);
        }

        return subscription;
    }

    /// <summary>The channels with at least one subscription.</summary>
    public string[] Channels()
    {
        lock (_gate)
        {
            return [.. _byChannel.Keys];
        }
    }

    public bool HasChannel(string channel)
    {
        lock (_gate)
        {
            return _byChannel.ContainsKey(channel);
        }
    }

    /// <summary>The subscriptions of <paramref name="channel"/> at this moment.</summary>
    public NodeBusSubscription[] Of(string channel)
    {
        lock (_gate)
        {
            return _byChannel.TryGetValue(channel, out var list) ? [.. list] : [];
        }
    }

    /// <summary>
    /// Hands <paramref name="payload"/> to every subscription of <paramref name="channel"/>. A handler's exception goes
    /// to <paramref name="handlerFailed"/> and the others still run; without it, the exception ends the dispatch and
    /// reaches the caller.
    /// </summary>
    public void Dispatch(string channel, string payload, Action<Exception>? handlerFailed = null)
    {
        // Handlers are called outside the lock: one that publishes or subscribes in turn does not deadlock.
        foreach (var target in Of(channel))
        {
            if (handlerFailed is null)
            {
                target.Handler(payload);
                continue;
            }

            try
            {
                target.Handler(payload);
            }
            catch (Exception exception)
            {
                handlerFailed(exception);
            }
        }
    }

    internal void Remove(NodeBusSubscription subscription)
    {
        lock (_gate)
        {
            if (_byChannel.TryGetValue(subscription.Channel, out var list))
            {
                list.Remove(subscription);
                if (list.Count == 0)
                {
                    _byChannel.Remove(subscription.Channel);
                }
            }
        }
    }
}
