using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XmppUpload.Xmpp.Configuration;
using XmppUpload.Xmpp.Handlers;

namespace XmppUpload.Xmpp.Component;

/// <summary>
/// Keeps the component attached to its XMPP server for the life of the host: one session at a time, and after each
/// session a capped, jittered exponential backoff (reset by a successful handshake) before the next. Every change of
/// the link is logged once.
/// </summary>
internal sealed class ComponentLinkService : BackgroundService
{
    private readonly XmppOptions _options;
    private readonly ServerAddress _server;
    private readonly ComponentConnection _connection;
    private readonly StanzaDispatcher _dispatcher;
    private readonly ReconnectBackoff _backoff;
    private readonly TimeProvider _time;
    private readonly ILogger<ComponentLinkService> _logger;

    public ComponentLinkService(
        IOptions<XmppOptions> options,
        ComponentConnection connection,
        StanzaDispatcher dispatcher,
        ReconnectBackoff backoff,
        TimeProvider time,
        ILogger<ComponentLinkService> logger)
    {
        _options = options.Value;
        if (!ServerAddress.TryParse(_options.Server, out _server))
        {
            // The validator refuses this at start; this guards a host that skipped ValidateOnStart.
            throw new OptionsValidationException(XmppOptions.SectionName, typeof(XmppOptions), [$"Xmpp:Server '{_options.Server}' is not host:port."]);
        }

        _connection = connection;
        _dispatcher = dispatcher;
        _backoff = backoff;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var server = _server.ToString();
        var failures = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                _connection.SetState(ComponentLinkState.Connecting);
                Log.Connecting(_logger, server, _options.Domain);
                var end = await RunSessionAsync(stoppingToken);
                if (end.Reason == SessionEndReason.Stopped || stoppingToken.IsCancellationRequested)
                {
                    Log.Stopped(_logger, server);
                    break;
                }

                Report(server, end);
                failures = end.WasAuthenticated ? 1 : failures + 1;
                var delay = _backoff.Delay(failures);
                _connection.SetState(ComponentLinkState.WaitingToReconnect);

                // The delay's timer exists before the log line, so a test that waits for the line can move its clock.
                var wait = Task.Delay(delay, _time, stoppingToken);
                Log.RetryScheduled(_logger, server, Math.Round(delay.TotalSeconds, 1), failures);
                await wait;
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

    private async Task<SessionEnd> RunSessionAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var session = new ComponentSession(_options, _server, _dispatcher, _connection, _time, _logger);
            return await session.RunAsync(stoppingToken);
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
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
