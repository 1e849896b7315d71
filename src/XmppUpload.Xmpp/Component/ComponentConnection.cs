using System.Xml.Linq;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Cluster;
using XmppUpload.Xmpp.Configuration;

namespace XmppUpload.Xmpp.Component;

/// <summary>
/// The link as the rest of the service sees it: the session that is authenticated now (if any), the link state,
/// and the IQs waiting for responses. <see cref="ComponentLinkService"/> opens sessions and reports them here.
/// </summary>
internal sealed class ComponentConnection : IComponentConnection
{
    private readonly PendingIqs _pending;
    private readonly TimeProvider _time;
    private readonly TimeSpan _iqTimeout;
    private readonly Lock _gate = new();
    private readonly string _server;
    private string? _leaseName;
    private ComponentSession? _session;
    private ComponentLinkState _state = ComponentLinkState.Stopped;
    private string? _holder;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ComponentConnection(IOptions<XmppOptions> options, PendingIqs pending, TimeProvider time)
    {
        Domain = XmppOptions.NormalizeDomain(options.Value.Domain);
        _server = ServerAddress.TryParse(options.Value.Server, out var server) ? server.ToString() : options.Value.Server;
        _iqTimeout = options.Value.IqTimeout;
        _pending = pending;
        _time = time;
    }

    public string Domain { get; }

    /// <summary>The name of this link's lease among the nodes of a cluster (<see cref="LinkLeaseName"/>).</summary>
    internal string LeaseName => _leaseName ??= LinkLeaseName.For(_server, Domain);

    public ComponentLinkState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public string? LinkHolder
    {
        get
        {
            lock (_gate)
            {
                return _holder;
            }
        }
    }

    public bool IsConnected => State == ComponentLinkState.Connected;

    public Task WaitUntilConnectedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _connected.Task.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask SendAsync(XElement stanza, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stanza);
        var session = CurrentSession() ?? throw new XmppLinkUnavailableException();
        if (stanza.Attribute("from") is null)
        {
            stanza.SetAttributeValue("from", Domain);
        }

        await session.SendAsync(stanza, cancellationToken);
    }

    public Task<XElement> SendIqAsync(XElement iq, CancellationToken cancellationToken) => SendIqAsync(iq, _iqTimeout, cancellationToken);

    public async Task<XElement> SendIqAsync(XElement iq, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(iq);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        if (iq.Name.LocalName != "iq" || (string?)iq.Attribute("type") is not ("get" or "set"))
        {
            throw new ArgumentException("Only IQ stanzas of type 'get' or 'set' get responses.", nameof(iq));
        }

        var id = (string?)iq.Attribute("id");
        if (string.IsNullOrEmpty(id))
        {
            id = PendingIqs.NewId();
            iq.SetAttributeValue("id", id);
        }

        var response = _pending.Register(id, (string?)iq.Attribute("to"));
        try
        {
            // The timeout starts before the IQ is on the wire: it bounds the send as well as the answer.
            using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var answered = response.WaitAsync(timeout, _time, abandon.Token);
            try
            {
                await SendAsync(iq, cancellationToken);
            }
            catch
            {
                await abandon.CancelAsync();
                await answered.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                throw;
            }

            return await answered;
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"No response to the IQ '{id}' within {timeout.TotalSeconds} s.", exception);
        }
        finally
        {
            _pending.Remove(id);
        }
    }

    internal void SetState(ComponentLinkState state, string? holder = null)
    {
        lock (_gate)
        {
            _state = state;
            _holder = state == ComponentLinkState.Standby ? holder : null;
        }
    }

    /// <summary>Called once a session completes its handshake (the link service ends its connection attempt's span).</summary>
    internal Action? Authenticated { get; set; }

    internal void Attach(ComponentSession session)
    {
        lock (_gate)
        {
            _session = session;
            _state = ComponentLinkState.Connected;
            _holder = null;
            _connected.TrySetResult();
        }

        Authenticated?.Invoke();
    }

    internal void Detach(ComponentSession session)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_session, session))
            {
                return;
            }

            _session = null;
            if (_connected.Task.IsCompleted)
            {
                _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    private ComponentSession? CurrentSession()
    {
        lock (_gate)
        {
            return _session;
        }
    }
}
