using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Core.Ports;
using XmppUpload.Xmpp.Component;

namespace XmppUpload.Xmpp.HttpAuth;

/// <summary>
/// XEP-0070 confirmations that this node, not holding the component link, forwarded over the node bus to the node
/// that holds it, and the replies they wait for. The holder must take a request up within
/// <see cref="ClusterOptions.RelayTimeout"/> (else nobody holds the link: <see cref="ConfirmationOutcome.Unavailable"/>
/// at once); the request's own timeout bounds the whole wait, measured here on the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class RelayedConfirmations
{
    /// <summary>The bus channel of every XEP-0070 message between nodes.</summary>
    public const string Channel = "xmppupload_http_auth";

    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly INodeBus _bus;
    private readonly ComponentConnection _connection;
    private readonly TimeSpan _relayTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger<RelayedConfirmations> _logger;

    public RelayedConfirmations(INodeBus bus, ComponentConnection connection, IOptions<ClusterOptions> cluster, TimeProvider time, ILogger<RelayedConfirmations> logger)
    {
        _bus = bus;
        _connection = connection;
        _relayTimeout = cluster.Value.RelayTimeout;
        _time = time;
        _logger = logger;
    }

    public int Count => _pending.Count;

    /// <summary>Asks the link holder to confirm <paramref name="request"/> and waits for the user's answer through it.</summary>
    public async Task<ConfirmationOutcome> ForwardAsync(ConfirmationRequest request, string hint, CancellationToken cancellationToken)
    {
        var jid = request.Jid.ToString();
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var payload = RelayJson.Write(new RelayMessage
        {
            Kind = RelayMessage.Ask,
            Id = id,
            Link = _connection.LeaseName,
            Jid = jid,
            TransactionId = request.TransactionId,
            Method = request.Method,
            Url = request.Url.AbsoluteUri,
            TimeoutMs = (long)Math.Ceiling(request.Timeout.TotalMilliseconds),
        });
        if (Encoding.UTF8.GetByteCount(payload) > _bus.MaxPayloadBytes)
        {
            // A URL or identifier near their own limits may not fit in one bus message; no partial request is sent.
            Log.ConfirmationNotForwarded(_logger, jid, hint, $"the request does not fit in one bus message of {_bus.MaxPayloadBytes} bytes");
            return ConfirmationOutcome.Unavailable;
        }

        var pending = new Pending();
        _pending[id] = pending;
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            // The timers start before the message is sent: the request's timeout bounds the whole exchange. The
            // replies are read from their own completion, never from a race with a timer, so a reply that came in
            // just as a timer fired still counts.
            var takenDeadline = Task.Delay(_relayTimeout < request.Timeout ? _relayTimeout : request.Timeout, _time, abandon.Token);
            var answerDeadline = Task.Delay(request.Timeout, _time, abandon.Token);
            try
            {
                await _bus.PublishAsync(Channel, payload, cancellationToken);
                Log.ConfirmationForwarded(_logger, jid, hint);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                Log.ConfirmationNotForwarded(_logger, jid, hint, $"the node bus failed: {exception.Message}");
                return ConfirmationOutcome.Unavailable;
            }

            await Task.WhenAny(pending.Taken.Task, takenDeadline);
            if (!pending.Taken.Task.IsCompleted)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Log.ConfirmationNotTaken(_logger, jid, hint, Math.Round(_relayTimeout.TotalSeconds, 1));
                return ConfirmationOutcome.Unavailable;
            }

            await Task.WhenAny(pending.Answer.Task, answerDeadline);
            if (pending.Answer.Task.IsCompleted)
            {
                return await pending.Answer.Task;
            }

            cancellationToken.ThrowIfCancellationRequested();
            return ConfirmationOutcome.NoAnswer;
        }
        finally
        {
            // No timer of this request is left to fire on its own.
            await abandon.CancelAsync();
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Applies a reply (<c>taken</c> or <c>answer</c>) from the link holder; false when nothing here waits for it.</summary>
    public bool TryComplete(RelayMessage reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (!_pending.TryGetValue(reply.Id, out var pending))
        {
            return false;
        }

        switch (reply.Kind)
        {
            case RelayMessage.Taken:
                return pending.Taken.TrySetResult();
            case RelayMessage.Answer when reply.Outcome is { } outcome && Enum.IsDefined(outcome):
                // Replies travel on different sessions and may overtake each other: an answer also means taken.
                pending.Taken.TrySetResult();
                return pending.Answer.TrySetResult(outcome);
            default:
                return false;
        }
    }

    private sealed class Pending
    {
        public TaskCompletionSource Taken { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<ConfirmationOutcome> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
