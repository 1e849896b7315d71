using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Lifecycle;
using XmppUpload.Core.Ports;
using XmppUpload.Xmpp.Configuration;
using XmppUpload.Xmpp.Diagnostics;
using XmppUpload.Xmpp.Handlers;

namespace XmppUpload.Xmpp.Component;

/// <summary>
/// Keeps the component attached to its XMPP server for the life of the host: first the link lease (in a cluster, one
/// node holds the link of a server at a time; the others wait on standby and try again every
/// <see cref="ClusterOptions.LeaseRetryInterval"/>), then one session at a time, and after each session a capped,
/// jittered exponential backoff (reset by a successful handshake) before the next. A lost lease closes the session at
/// once; stopping the host closes it and releases the lease. Every change of the link is logged once.
/// </summary>
internal sealed class ComponentLinkService : BackgroundService
{
    /// <summary>
    /// After this many consecutive attempts that fail before the handshake completes, the holder gives the lease up for
    /// its backoff wait, so that another node that can reach the XMPP server may take the link: a network fault between
    /// this node and the server must not leave the whole cluster without a link.
    /// </summary>
    internal const int FailuresBeforeYield = 3;

    private readonly XmppOptions _options;
    private readonly ServerAddress _server;
    private readonly ComponentConnection _connection;
    private readonly StanzaDispatcher _dispatcher;
    private readonly ReconnectBackoff _backoff;
    private readonly ILinkLeaseProvider _leases;
    private readonly TimeSpan _leaseRetryInterval;
    private readonly NodeDrain? _drain;
    private readonly XmppTelemetry? _telemetry;
    private readonly TimeProvider _time;
    private readonly ILogger<ComponentLinkService> _logger;
    private readonly string _leaseName;
    private int _failures;

    public ComponentLinkService(
        IOptions<XmppOptions> options,
        IOptions<ClusterOptions> cluster,
        ComponentConnection connection,
        StanzaDispatcher dispatcher,
        ReconnectBackoff backoff,
        ILinkLeaseProvider leases,
        TimeProvider time,
        ILogger<ComponentLinkService> logger,
        NodeDrain? drain = null,
        XmppTelemetry? telemetry = null)
    {
        _drain = drain;
        _telemetry = telemetry;
        _options = options.Value;
        if (!ServerAddress.TryParse(_options.Server, out _server))
        {
            // The validator refuses this at start; this guards a host that skipped ValidateOnStart.
            throw new OptionsValidationException(XmppOptions.SectionName, typeof(XmppOptions), [$"Xmpp:Server '{_options.Server}' is not host:port."]);
        }

        _connection = connection;
        _dispatcher = dispatcher;
        _backoff = backoff;
        _leases = leases;
        _leaseRetryInterval = cluster.Value.LeaseRetryInterval;
        _time = time;
        _logger = logger;
        _leaseName = _connection.LeaseName;
    }

    private enum HoldEnd
    {
        Stopped,
        LeaseLost,
        Yielded,
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A draining node lets the link go at once (so another node takes it while this one finishes its uploads),
        // exactly as on stop: the session closes, then the lease is released.
        using var draining = _drain is null ? null : CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _drain.Draining);
        stoppingToken = draining?.Token ?? stoppingToken;
        var server = _server.ToString();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                HoldEnd end;
                await using (var lease = await TakeLeaseAsync(server, stoppingToken))
                {
                    end = await HoldLinkAsync(lease, server, stoppingToken);
                }

                if (end == HoldEnd.Stopped)
                {
                    Log.Stopped(_logger, server);
                    break;
                }

                if (end == HoldEnd.Yielded)
                {
                    // The lease is released; the wait lets another node take it before this one tries again.
                    var delay = _backoff.Delay(_failures);
                    var wait = Task.Delay(delay, _time, stoppingToken);
                    Log.RetryScheduled(_logger, server, Math.Round(delay.TotalSeconds, 1), _failures);
                    await wait;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            Log.Stopped(_logger, server);
        }
        finally
        {
            _connection.SetState(ComponentLinkState.Stopped);
        }
    }

    // Returns once this node holds the lease; meanwhile the node is on standby (another node holds it) or cannot reach
    // the lease store, and tries again every LeaseRetryInterval. Each change is logged once, not each attempt.
    private async Task<ILinkLease> TakeLeaseAsync(string server, CancellationToken stoppingToken)
    {
        var standby = false;
        string? holder = null;
        var unreachable = false;
        while (true)
        {
            LinkLeaseAttempt attempt;
            try
            {
                attempt = await _leases.TryTakeAsync(_leaseName, stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                _connection.SetState(ComponentLinkState.WaitingToReconnect);
                var retry = Task.Delay(_leaseRetryInterval, _time, stoppingToken);
                if (!unreachable)
                {
                    Log.LeaseUnreachable(_logger, _leaseName, Math.Round(_leaseRetryInterval.TotalSeconds, 1), exception);
                    unreachable = true;
                    standby = false;
                }

                await retry;
                continue;
            }

            if (attempt.Lease is { } lease)
            {
                Log.LeaseTaken(_logger, _leaseName, server);
                return lease;
            }

            // Whatever failed before belonged to an earlier turn; the next holder's attempts start from the first delay.
            _failures = 0;
            _connection.SetState(ComponentLinkState.Standby, attempt.Holder);
            var wait = Task.Delay(_leaseRetryInterval, _time, stoppingToken);
            if (!standby || unreachable || !string.Equals(holder, attempt.Holder, StringComparison.Ordinal))
            {
                Log.Standby(_logger, _options.Domain, server, attempt.Holder ?? "another node");
                standby = true;
                unreachable = false;
                holder = attempt.Holder;
            }

            await wait;
        }
    }

    private async Task<HoldEnd> HoldLinkAsync(ILinkLease lease, string server, CancellationToken stoppingToken)
    {
        using var held = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lease.Lost);
        while (true)
        {
            _connection.SetState(ComponentLinkState.Connecting);
            Log.Connecting(_logger, server, _options.Domain);
            var end = await RunAttemptAsync(server, held.Token);
            if (stoppingToken.IsCancellationRequested)
            {
                // The session is closed; the lease is released next, by the caller.
                _connection.SetState(ComponentLinkState.Stopped);
                return HoldEnd.Stopped;
            }

            if (lease.Lost.IsCancellationRequested)
            {
                return LeaseLost(server);
            }

            Report(server, end);
            _failures = end.WasAuthenticated ? 1 : _failures + 1;
            _connection.SetState(ComponentLinkState.WaitingToReconnect);
            if (!end.WasAuthenticated && _failures >= FailuresBeforeYield)
            {
                Log.LeaseYielded(_logger, _leaseName, _failures);
                return HoldEnd.Yielded;
            }

            // The delay's timer exists before the log line, so a test that waits for the line can move its clock.
            var delay = _backoff.Delay(_failures);
            var wait = Task.Delay(delay, _time, held.Token);
            Log.RetryScheduled(_logger, server, Math.Round(delay.TotalSeconds, 1), _failures);
            try
            {
                await wait;
            }
            catch (OperationCanceledException) when (lease.Lost.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
            {
                return LeaseLost(server);
            }
        }
    }

    private HoldEnd LeaseLost(string server)
    {
        // The session, if any, was closed by the lease's token: a node that cannot prove it holds the lease must not
        // keep a link that another node may take meanwhile.
        _connection.SetState(ComponentLinkState.WaitingToReconnect);
        Log.LeaseLost(_logger, _leaseName, server);
        return HoldEnd.LeaseLost;
    }

    // One span per connection attempt, from the TCP connect to the handshake's result (not the whole session).
    private async Task<SessionEnd> RunAttemptAsync(string server, CancellationToken sessionToken)
    {
        var reconnect = _failures > 0;
        var attempt = XmppTelemetry.StartConnectAttempt(server, _options.Domain);
        var ended = 0;
        void End(string outcome)
        {
            if (Interlocked.Exchange(ref ended, 1) != 0)
            {
                return;
            }

            if (_telemetry is null)
            {
                attempt?.Stop();
            }
            else
            {
                _telemetry.ConnectAttemptEnded(attempt, outcome, reconnect);
            }
        }

        _connection.Authenticated = () => End("authenticated");
        try
        {
            var end = await RunSessionAsync(sessionToken);
            End(end.Reason switch
            {
                SessionEndReason.WrongSecret => "wrong_secret",
                SessionEndReason.ConnectFailed => "connect_failed",
                SessionEndReason.StreamErrorReceived or SessionEndReason.StreamErrorSent => "stream_error",
                SessionEndReason.Stopped => "stopped",
                SessionEndReason.TimedOut => "timed_out",
                _ => "lost",
            });
            return end;
        }
        finally
        {
            _connection.Authenticated = null;
            End("stopped");
        }
    }

    private async Task<SessionEnd> RunSessionAsync(CancellationToken sessionToken)
    {
        try
        {
            await using var session = new ComponentSession(_options, _server, _dispatcher, _connection, _time, _logger);
            return await session.RunAsync(sessionToken);
        }
        catch (Exception exception) when (!sessionToken.IsCancellationRequested)
        {
            // A bug must not end the link for good (an exception leaving ExecuteAsync stops the host): log it and retry.
            Log.LinkFailed(_logger, _server.ToString(), exception);
            return new SessionEnd(SessionEndReason.ConnectionLost, false, "unexpected failure", Exception: exception);
        }
    }

    private void Report(string server, SessionEnd end)
    {
        switch (end.Reason)
        {
            case SessionEndReason.WrongSecret:
                Log.WrongSecret(_logger, server, _options.Domain);
                break;
            case SessionEndReason.StreamErrorReceived:
                Log.StreamErrorReceived(_logger, server, end.Condition ?? "undefined-condition", end.Detail);
                break;
            case SessionEndReason.StreamErrorSent:
                Log.StreamErrorSent(_logger, server, end.Condition ?? "undefined-condition", end.Detail);
                break;
            case SessionEndReason.ConnectFailed:
                Log.ConnectFailed(_logger, server, end.Detail);
                break;
            case SessionEndReason.ConnectionLost when end.Exception is not null && end.Detail == "unexpected failure":
                // Already logged with its exception by RunSessionAsync.
                break;
            default:
                Log.Disconnected(_logger, server, end.Detail);
                break;
        }
    }
}
