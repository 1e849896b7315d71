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

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<Subscription>> _subscriptions = new(StringComparer.Ordinal);

    public int MaxPayloadBytes => PayloadLimit;

    public Task PublishAsync(string channel, string payload, CancellationToken cancellationToken)
    {
        NodeBusChannels.ThrowIfInvalid(channel);
        ThrowIfUnsendable(payload, PayloadLimit);
        cancellationToken.ThrowIfCancellationRequested();
        Subscription[] targets;
        lock (_gate)
        {
            targets = _subscriptions.TryGetValue(channel, out var list) ? [.. list] : [];
        }

        // Handlers are called outside the lock: one that publishes in turn does not deadlock.
        foreach (var target in targets)
        {
            target.Handler(payload);
        }

        return Task.CompletedTask;
    }

    public Task<IAsyncDisposable> SubscribeAsync(string channel, Action<string> handler, CancellationToken cancellationToken)
    {
        NodeBusChannels.ThrowIfInvalid(channel);
        ArgumentNullException.ThrowIfNull(handler);
        cancellationToken.ThrowIfCancellationRequested();
        var subscription = new Subscription(this, channel, handler);
        lock (_gate)
        {
            if (!_subscriptions.TryGetValue(channel, out var list))
            {
                _subscriptions[channel] = list = [];
            }

            list.Add(subscription);
        }

        return Task.FromResult<IAsyncDisposable>(subscription);
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

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            if (_subscriptions.TryGetValue(subscription.Channel, out var list))
            {
                list.Remove(subscription);
                if (list.Count == 0)
                {
                    _subscriptions.Remove(subscription.Channel);
                }
            }
        }
    }

    private sealed class Subscription(InProcessNodeBus owner, string channel, Action<string> handler) : IAsyncDisposable
    {
        public string Channel => channel;

        public Action<string> Handler => handler;

        public ValueTask DisposeAsync()
        {
            owner.Remove(this);
            return ValueTask.CompletedTask;
        }
    }
}
