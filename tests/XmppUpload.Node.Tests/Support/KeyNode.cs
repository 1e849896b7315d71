using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Core.Tokens;
using XmppUpload.Http;
using XmppUpload.Node.Hosting;
using XmppUpload.Testing;

namespace XmppUpload.Node.Tests.Support;

/// <summary>
/// A node's ledger, signing keys and upload endpoint, in process: the node's own registrations (the storage of
/// <c>Ledger:Provider</c>, <c>AddSigningKeys</c>, <c>AddUploadEndpoints</c>) on a fake clock, started as the node starts
/// them and listening on a free port. The key store is wrapped to count how often this node reads it.
/// </summary>
internal sealed class KeyNode : IAsyncDisposable
{
    public const string PublicUrl = "https://upload.example.org/files/";

    private readonly WebApplication _app;

    private KeyNode(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public IServiceProvider Services => _app.Services;

    public SigningKeyRing Ring => Services.GetRequiredService<SigningKeyRing>();

    public SlotTokens Tokens => Services.GetRequiredService<SlotTokens>();

    public CountingKeyStore Store => Services.GetRequiredService<CountingKeyStore>();

    public ILedger Ledger => Services.GetRequiredService<ILedger>();

    public LogCapture Logs => Services.GetRequiredService<LogCapture>();

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public static async Task<KeyNode> StartAsync(string contentRoot, IReadOnlyDictionary<string, string?> configuration, FakeTimeProvider clock)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = contentRoot, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Http:PublicUrl"] = PublicUrl });
        builder.Configuration.AddInMemoryCollection(configuration);
        var logs = new LogCapture();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug).AddProvider(logs);
        builder.WebHost.UseUrls("http://127.0.0.1:0");

        builder.Services.AddSingleton(logs);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddConfiguredStorage(builder.Configuration);
        var ledgerKeys = builder.Services.Last(d => d.ServiceType == typeof(ISigningKeyStore));
        builder.Services.Remove(ledgerKeys);
        builder.Services.AddSingleton(provider => new CountingKeyStore((ISigningKeyStore)ledgerKeys.ImplementationFactory!(provider)));
        builder.Services.AddSingleton<ISigningKeyStore>(provider => provider.GetRequiredService<CountingKeyStore>());
        builder.Services.AddSigningKeys();
        builder.Services.AddUploadEndpoints();

        var app = builder.Build();
        app.MapUploadEndpoints();
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new KeyNode(app, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>PUTs <paramref name="body"/> to the slot's URL on this node with <paramref name="authorization"/>.</summary>
    public async Task<HttpResponseMessage> PutAsync(Slot slot, byte[] body, string authorization)
    {
        var url = new Uri(BaseAddress, new SlotUrls(new Uri(PublicUrl)).For(slot.Id, slot.FileName).PathAndQuery);
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return await Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
