using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using XmppUpload.Testing;
using XmppUpload.Xmpp.Component;

namespace XmppUpload.Xmpp.Tests.Support;

/// <summary>The component as the node wires it (AddXmppComponent), on a fake clock, pointed at a fake server.</summary>
internal sealed class LinkHost : IAsyncDisposable
{
    public const string Secret = "s3cret";

    private readonly ServiceProvider _provider;
    private readonly List<IHostedService> _hosted;

    private LinkHost(ServiceProvider provider, UploadService service, LogCapture logs)
    {
        _provider = provider;
        Service = service;
        Logs = logs;
        _hosted = [.. provider.GetServices<IHostedService>()];
        Connection = provider.GetRequiredService<IComponentConnection>();
    }

    public UploadService Service { get; }

    public FakeTimeProvider Time => Service.Time;

    public LogCapture Logs { get; }

    public IComponentConnection Connection { get; }

    /// <param name="configure">Registers replacements (such as a lease store) before the component's own defaults.</param>
    public static async Task<LinkHost> StartAsync(int port, CancellationToken cancellationToken, Dictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var service = new UploadService();
        var logs = new LogCapture();
        var configuration = new Dictionary<string, string?>
        {
            ["Xmpp:Server"] = $"127.0.0.1:{port}",
            ["Xmpp:Domain"] = UploadService.Domain,
            ["Xmpp:Secret"] = Secret,
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
        // No jitter, so each delay is its ceiling: 1 s, 2 s, 4 s, ...
        services.AddSingleton(new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), () => 1.0));
        configure?.Invoke(services);
        services.AddXmppComponent();

        var host = new LinkHost(services.BuildServiceProvider(), service, logs);
        foreach (var hosted in host._hosted)
        {
            await hosted.StartAsync(cancellationToken);
        }

        return host;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hosted in _hosted)
        {
            await hosted.StopAsync(CancellationToken.None);
        }

        await _provider.DisposeAsync();
    }
}
