using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using XmppUpload.Core.Cluster;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.Postgres;

/// <summary>
/// The node bus over PostgreSQL LISTEN/NOTIFY. Messages are sent with <c>pg_notify</c> from a small pool; they are
/// received on one dedicated session that LISTENs on every subscribed channel, checked every
/// <c>Cluster:ConnectionCheckInterval</c>, and opened again with a capped, jittered backoff when it breaks (PostgreSQL
/// restarted, the network failed, the session was terminated); the channels are listened to again on the new session.
/// Payloads are limited to <see cref="InProcessNodeBus.PayloadLimit"/> bytes, PostgreSQL's NOTIFY limit.
/// </summary>
public sealed class PostgresNodeBus : INodeBus, IAsyncDisposable
{
    /// <summary>The application_name of the sessions that send: this prefix and the node's <c>Ledger:NodeId</c>.</summary>
    public const string ApplicationNamePrefix = "xmppupload bus ";

    /// <summary>The application_name of the session that listens: this prefix and the node's <c>Ledger:NodeId</c>.</summary>
    public const string ListenerApplicationNamePrefix = "xmppupload listen ";

    private const string Notify = "SELECT pg_notify(@channel, @payload)";

    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(30);

    private readonly NpgsqlDataSource _publisher;
    private readonly string _listenConnectionString;
    private readonly TimeSpan _checkInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly NodeBusSubscriptions _subscriptions = new();
    private readonly HashSet<string> _listening = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private int _disposed;

    public PostgresNodeBus(
        IOptions<PostgresLedgerOptions> ledger,
        IOptions<ClusterOptions> cluster,
        TimeProvider time,
        ILogger<PostgresNodeBus> logger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(cluster);
        if (string.IsNullOrWhiteSpace(ledger.Value.ConnectionString))
        {
            throw new ArgumentException("The node bus needs ConnectionStrings:Ledger.", nameof(ledger));
        }

        _checkInterval = cluster.Value.ConnectionCheckInterval;
        var applicationName = ApplicationNamePrefix + ledger.Value.NodeId;
        _publisher = new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(ledger.Value.ConnectionString)
        {
            ApplicationName = PostgresClusterConnections.ApplicationName(applicationName),
            MaxPoolSize = 10,
        }.ConnectionString)
        { Name = "node-bus" }.Build();
        _listenConnectionString = PostgresClusterConnections.ConnectionString(ledger.Value.ConnectionString, ListenerApplicationNamePrefix + ledger.Value.NodeId, _checkInterval);
        _time = time;
        _logger = logger;
    }

    public int MaxPayloadBytes => InProcessNodeBus.PayloadLimit;

    public async Task PublishAsync(string channel, string payload, CancellationToken cancellationToken)
    {
        NodeBusChannels.ThrowIfInvalid(channel);
        InProcessNodeBus.ThrowIfUnsendable(payload, MaxPayloadBytes);
        await using var command = _publisher.CreateCommand(Notify);
        command.Parameters.AddWithValue("channel", channel);
        command.Parameters.AddWithValue("payload", payload);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Completes once this node's session LISTENs on <paramref name="channel"/>; waits for the session while it reconnects.</summary>
    public async Task<IAsyncDisposable> SubscribeAsync(string channel, Action<string> handler, CancellationToken cancellationToken)
    {
        NodeBusChannels.ThrowIfInvalid(channel);
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        NodeBusSubscription subscription;
        lock (_gate)
        {
            // Added under the gate, so that SyncChannelsAsync either sees it or has already marked the channel listened to.
            subscription = _subscriptions.Add(channel, handler);
            if (_listening.Contains(channel))
            {
                subscription.Active.TrySetResult();
            }

            _loop ??= Task.Run(() => ListenAsync(_stop.Token), CancellationToken.None);
        }

        try
        {
            await subscription.Active.Task.WaitAsync(cancellationToken);
        }
        catch
        {
            await subscription.DisposeAsync();
            throw;
        }

        return subscription;
    }

    /// <summary>Completes when the listening session is up and LISTENs on every subscribed channel (for tests and health).</summary>
    public Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _connected.Task.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        Task? loop;
        lock (_gate)
        {
            loop = _loop;
        }

        if (loop is not null)
        {
            await loop;
        }

        _stop.Dispose();
        await _publisher.DisposeAsync();
    }

    private async Task ListenAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            var connection = new NpgsqlConnection(_listenConnectionString);
            connection.Notification += OnNotification;
            try
            {
                await connection.OpenAsync(stop);
                await PostgresClusterConnections.ConfigureSessionAsync(connection, _checkInterval, stop);
                await SyncChannelsAsync(connection, stop);
                if (failures > 0)
                {
                    PostgresClusterLog.BusReconnected(_logger, failures);
                    failures = 0;
                }

                while (true)
                {
                    await PostgresClusterConnections.WaitAndCheckAsync(connection, _checkInterval, _time, stop);

                    // Subscriptions made since the last round are listened to now, at most one interval later.
                    await SyncChannelsAsync(connection, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                lock (_gate)
                {
                    _listening.Clear();
                    if (_connected.Task.IsCompleted)
                    {
                        _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                }

                if (failures == 0)
                {
                    PostgresClusterLog.BusDisconnected(_logger, exception);
                }

                failures++;
            }
            finally
            {
                connection.Notification -= OnNotification;
                await connection.DisposeAsync();
            }

            try
            {
                await Task.Delay(ReconnectDelay(failures), _time, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    // LISTENs on channels that gained a subscription and UNLISTENs those that lost their last one.
    private async Task SyncChannelsAsync(NpgsqlConnection connection, CancellationToken stop)
    {
        string[] toListen;
        string[] toUnlisten;
        lock (_gate)
        {
            toListen = [.. _subscriptions.Channels().Where(c => !_listening.Contains(c))];
            toUnlisten = [.. _listening.Where(c => !_subscriptions.HasChannel(c))];
        }

        foreach (var channel in toUnlisten)
        {
            // Channel names are checked by NodeBusChannels: plain identifiers, safe to quote as they are.
            await using var command = new NpgsqlCommand($"UNLISTEN \"{channel}\"", connection);
            await command.ExecuteNonQueryAsync(stop);
            lock (_gate)
            {
                _listening.Remove(channel);
            }
        }

        foreach (var channel in toListen)
        {
            await using var command = new NpgsqlCommand($"LISTEN \"{channel}\"", connection);
            await command.ExecuteNonQueryAsync(stop);
            lock (_gate)
            {
                _listening.Add(channel);
                foreach (var subscription in _subscriptions.Of(channel))
                {
                    subscription.Active.TrySetResult();
                }
            }
        }

        int count;
        bool changed;
        lock (_gate)
        {
            count = _listening.Count;
            changed = toListen.Length > 0 || toUnlisten.Length > 0 || !_connected.Task.IsCompleted;
            _connected.TrySetResult();
        }

        if (changed)
        {
            PostgresClusterLog.BusListening(_logger, count);
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e) =>
        // A handler's bug must not break the session every other subscription listens on.
        _subscriptions.Dispatch(e.Channel, e.Payload, exception => PostgresClusterLog.BusHandlerFailed(_logger, e.Channel, exception));

    private TimeSpan ReconnectDelay(int failures)
    {
        var ceiling = Math.Min(_checkInterval.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16)), MaxReconnectDelay.TotalMilliseconds);

        // Half fixed, half random: nodes that lost PostgreSQL together do not all come back in the same instant.
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (Random.Shared.NextDouble() / 2)));
    }
}
