using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Core.Ports;
using XmppUpload.Xmpp.Component;

namespace XmppUpload.Xmpp.HttpAuth;

/// <summary>
/// XEP-0070 across the nodes of a cluster. On the node that holds the component link, takes up the confirmations other
/// nodes forward (only those for its own link, and only while it is connected), asks the user exactly as for a local
/// request (IQ to a full JID, message to a bare JID) and sends the outcome back. On every node, hands the replies to
/// <see cref="RelayedConfirmations"/>.
/// </summary>
internal sealed class HttpAuthRelayService : IHostedService, IDisposable
{
    // A forwarded request never makes the holder wait longer than this, whatever the asking node said.
    private static readonly TimeSpan MaxServedTimeout = TimeSpan.FromHours(1);

    private readonly INodeBus _bus;
    private readonly ComponentConnection _connection;
    private readonly XmppHttpAuthConfirmer _confirmer;
    private readonly RelayedConfirmations _relayed;
    private readonly ILogger<HttpAuthRelayService> _logger;
    private readonly ConcurrentDictionary<Task, bool> _serving = new();
    private readonly CancellationTokenSource _stopping = new();
    private IAsyncDisposable? _subscription;

    public HttpAuthRelayService(
        INodeBus bus,
        ComponentConnection connection,
        XmppHttpAuthConfirmer confirmer,
        RelayedConfirmations relayed,
        ILogger<HttpAuthRelayService> logger)
    {
        _bus = bus;
        _connection = connection;
        _confirmer = confirmer;
        _relayed = relayed;
        _logger = logger;
    }

    /// <summary>Subscribes before the host has started, so that no forwarded request or reply of this node is missed.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = await _bus.SubscribeAsync(RelayedConfirmations.Channel, OnMessage, cancellationToken);
        Log.RelayListening(_logger, RelayedConfirmations.Channel);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_subscription is not null)
        {
            await _subscription.DisposeAsync();
        }

        // The confirmations being asked end with the host; the asking nodes' own timeouts answer their requests.
        await _stopping.CancelAsync();
        await Task.WhenAll(_serving.Keys).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _stopping.Dispose();

    // Runs on the bus's delivery path: decides at once and starts any longer work on its own.
    private void OnMessage(string payload)
    {
        var message = RelayJson.Read(payload);
        if (message is null || string.IsNullOrEmpty(message.Kind) || string.IsNullOrEmpty(message.Id))
        {
            Log.RelayMessageIgnored(_logger, "it is not a relay message");
            return;
        }

        if (message.Kind != RelayMessage.Ask)
        {
            // Replies meant for other nodes are simply not found here.
            _relayed.TryComplete(message);
            return;
        }

        if (!string.Equals(message.Link, _connection.LeaseName, StringComparison.Ordinal) || !_connection.IsConnected)
        {
            // Another link's request, or this node does not hold the link now: the holder, if any, answers.
            return;
        }

        if (Request(message) is not { } request)
        {
            Log.RelayMessageIgnored(_logger, "a forwarded confirmation lacks a valid JID, URL, method, transaction or timeout");
            return;
        }

        var serving = ServeAsync(message.Id, request);
        _serving.TryAdd(serving, true);
        _ = serving.ContinueWith(done => _serving.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task ServeAsync(string id, ConfirmationRequest request)
    {
        await Task.Yield();
        var hint = TransactionHint.Of(request.TransactionId);
        var jid = request.Jid.ToString();
        try
        {
            await _bus.PublishAsync(RelayedConfirmations.Channel, RelayJson.Write(new RelayMessage { Kind = RelayMessage.Taken, Id = id }), _stopping.Token);
            Log.ConfirmationServed(_logger, jid, hint);
            var outcome = await _confirmer.ConfirmLocallyAsync(request, _stopping.Token);
            await _bus.PublishAsync(RelayedConfirmations.Channel, RelayJson.Write(new RelayMessage { Kind = RelayMessage.Answer, Id = id, Outcome = outcome }), _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The asking node's own timeout answers its request.
        }
        catch (Exception exception)
        {
            Log.RelayReplyNotSent(_logger, jid, hint, exception.Message);
        }
    }

    private static ConfirmationRequest? Request(RelayMessage message)
    {
        if (!Jid.TryParse(message.Jid, out var jid)
            || string.IsNullOrEmpty(message.TransactionId)
            || string.IsNullOrEmpty(message.Method)
            || !Uri.TryCreate(message.Url, UriKind.Absolute, out var url)
            || message.TimeoutMs is not > 0)
        {
            return null;
        }

        var timeout = TimeSpan.FromMilliseconds(Math.Min(message.TimeoutMs.Value, (long)MaxServedTimeout.TotalMilliseconds));
        return new ConfirmationRequest(jid, message.TransactionId, message.Method, url, timeout);
    }
}
