namespace XmppUpload.Core.Ports;

/// <summary>
/// Short messages between the nodes of a cluster: a message published on a channel reaches every subscription to that
/// channel on every node (this one included) that is connected when it is sent. Delivery is at most once and not
/// durable: a node that is reconnecting misses what was sent meanwhile, so every exchange over the bus has its own
/// timeout.
/// </summary>
public interface INodeBus
{
    /// <summary>The largest payload, in UTF-8 bytes, that <see cref="PublishAsync"/> accepts.</summary>
    int MaxPayloadBytes { get; }

    /// <summary>
    /// Sends <paramref name="payload"/> on <paramref name="channel"/>. Throws <see cref="ArgumentException"/> for a
    /// payload over <see cref="MaxPayloadBytes"/> or a channel that <see cref="NodeBusChannels.IsValid"/> refuses, and
    /// another exception when the bus cannot be reached.
    /// </summary>
    Task PublishAsync(string channel, string payload, CancellationToken cancellationToken);

    /// <summary>
    /// Calls <paramref name="handler"/> with the payload of every message on <paramref name="channel"/> until the
    /// returned subscription is disposed. Completes once the subscription is in effect. Handlers run one at a time in
    /// the order messages arrive and must return quickly (start longer work elsewhere) without throwing.
    /// </summary>
    Task<IAsyncDisposable> SubscribeAsync(string channel, Action<string> handler, CancellationToken cancellationToken);
}
