using System.Text;
using XmppUpload.Core.Ports;

namespace XmppUpload.Core.Cluster;

/// <summary>
/// The bus of a node that runs alone: a message reaches this process's subscriptions, handed over during
/// <see cref="PublishAsync"/>. Limits are those of the PostgreSQL bus, so nothing works here that a cluster refuses.
/// </summary>
public sealed class InProcessNodeBus : INodeBus
{
    /// <summary>PostgreSQL's NOTIFY payload limit (shorter than 8000 bytes), which every bus keeps.</summary>
    public const int PayloadLimit = 7999;

    private readonly NodeBusSubscriptions _subscriptions = new();

    public int MaxPayloadBytes => PayloadLimit;

    public Task PublishAsync(string channel, string payload, CancellationToken cancellationToken)
    {
        NodeBusChannels.ThrowIfInvalid(channel);
        ThrowIfUnsendable(payload, PayloadLimit);
        cancellationToken.ThrowIfCancellationRequested();

        // In one process a handler runs on the publisher's call, so its exception reaches the publisher.
        _subscriptions.Dispatch(channel, payload);
        return Task.CompletedTask;
    }

    public Task<IAsyncDisposable> SubscribeAsync(string channel, Action<string> handler, CancellationToken cancellationToken)
    {
        NodeBusChannels.ThrowIfInvalid(channel);
        ArgumentNullException.ThrowIfNull(handler);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IAsyncDisposable>(_subscriptions.Add(channel, handler));
    }

    /// <summary>The payload rule every bus applies: text without NUL of at most <paramref name="limit"/> UTF-8 bytes.</summary>
    public static void ThrowIfUnsendable(string payload, int limit)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A bus payload may not contain NUL characters.", nameof(payload));
        }

        var bytes = Encoding.UTF8.GetByteCount(payload);
        if (bytes > limit)
        {
            throw new ArgumentException($"The bus payload has {bytes} bytes; at most {limit} fit in one message.", nameof(payload));
        }
    }
}
