using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Testing;
using XmppUpload.Xmpp.Component;
using XmppUpload.Xmpp.Handlers;
using XmppUpload.Xmpp.HttpAuth;
using XmppUpload.Xmpp.Tests.Support;

namespace XmppUpload.Xmpp.Tests.HttpAuth;

/// <summary>
/// The component as AddXmppComponent wires it, on a fake clock, linked to a fake server whose side of the link the
/// test plays: it reads what the component sends and writes what the user's server would route back.
/// </summary>
internal sealed class ConfirmHost : IAsyncDisposable
{
    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(20);

    private readonly FakeXmppServer _server;
    private readonly ServiceProvider _provider;
    private List<IHostedService> _hosted = [];
    private bool _started;

    private ConfirmHost(FakeXmppServer server, ServiceProvider provider, UploadService service, LogCapture logs)
    {
        _server = server;
        _provider = provider;
        Time = service.Time;
        Logs = logs;
    }

    public FakeTimeProvider Time { get; }

    /// <summary>The <c>Xmpp:Server</c> of this host's fake server, for another host that shares its link lease.</summary>
    public string ServerAddress => $"127.0.0.1:{_server.Port}";

    public LogCapture Logs { get; }

    public IServiceProvider Services => _provider;

    public IHttpAuthConfirmer Confirmer => _provider.GetRequiredService<IHttpAuthConfirmer>();

    public XmppHttpAuthConfirmer Concrete => _provider.GetRequiredService<XmppHttpAuthConfirmer>();

    public PendingConfirmations Pending => _provider.GetRequiredService<PendingConfirmations>();

    public StanzaDispatcher Dispatcher => _provider.GetRequiredService<StanzaDispatcher>();

    /// <summary>The server's side of the link; null until <see cref="ConnectAsync"/>.</summary>
    public FakeServerConnection? Link { get; private set; }

    /// <summary>Builds the container without starting the link (for what needs no socket, such as disco#info).</summary>
    /// <param name="configure">Changes the services after the component's registration (replacements use Replace or come first).</param>
    /// <param name="before">Registers services before the component's own defaults (a node bus, a lease store).</param>
    /// <param name="settings">Configuration that overrides the defaults (another <c>Xmpp:Server</c>, <c>Cluster:*</c>).</param>
    public static ConfirmHost Build(Action<IServiceCollection>? configure = null, Action<IServiceCollection>? before = null, Dictionary<string, string?>? settings = null)
    {
        var server = new FakeXmppServer();
        var service = new UploadService();
        var logs = new LogCapture();
        var configuration = new Dictionary<string, string?>
        {
            ["Xmpp:Server"] = $"127.0.0.1:{server.Port}",
            ["Xmpp:Domain"] = UploadService.Domain,
            ["Xmpp:Secret"] = LinkHost.Secret,
        };
        foreach (var (key, value) in settings ?? [])
        {
            configuration[key] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(configuration).Build());
        services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton<TimeProvider>(service.Time);
        services.AddSingleton(service.Upload);
        services.AddSingleton(service.Slots);
        services.AddSingleton(new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), () => 1.0));
        before?.Invoke(services);
        services.AddXmppComponent();
        configure?.Invoke(services);
        return new ConfirmHost(server, services.BuildServiceProvider(), service, logs);
    }

    /// <summary>Starts the link; with <paramref name="accept"/>, also completes the handshake and waits until it is up.</summary>
    public static async Task<ConfirmHost> StartAsync(
        CancellationToken cancellationToken,
        bool accept = true,
        Action<IServiceCollection>? configure = null,
        Action<IServiceCollection>? before = null,
        Dictionary<string, string?>? settings = null)
    {
        var host = Build(configure, before, settings);
        host._started = true;

        // Resolved only here: a host that is only built (to check options or disco) never constructs the services.
        host._hosted = [.. host._provider.GetServices<IHostedService>()];
        foreach (var hosted in host._hosted)
        {
            await hosted.StartAsync(cancellationToken);
        }

        if (accept)
        {
            host.Link = await host._server.AcceptAsync(cancellationToken);
            await host.Link.AcceptComponentAsync(LinkHost.Secret, cancellationToken);
            await host._provider.GetRequiredService<IComponentConnection>().WaitUntilConnectedAsync(cancellationToken).WaitAsync(SafetyTimeout, cancellationToken);
        }

        return host;
    }

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            foreach (var hosted in _hosted)
            {
                await hosted.StopAsync(CancellationToken.None);
            }
        }

        await _provider.DisposeAsync();
        await _server.DisposeAsync();
    }
}
