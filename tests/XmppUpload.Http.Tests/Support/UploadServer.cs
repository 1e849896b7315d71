using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Core.Tokens;
using XmppUpload.Storage;
using XmppUpload.Storage.FileSystem;
using XmppUpload.Storage.Sqlite;
using XmppUpload.Testing;

namespace XmppUpload.Http.Tests.Support;

/// <summary>
/// A real Kestrel server on 127.0.0.1:0 with the embedded storage in a temporary directory and the upload endpoints,
/// a fake clock, and Core's <see cref="SlotService"/> to grant slots the way the XMPP side would.
/// </summary>
public sealed class UploadServer : IAsyncDisposable
{
    /// <summary>The configured <c>Http:PublicUrl</c>: what Location headers name (as behind a proxy), not where the server listens.</summary>
    public const string PublicUrl = "https://upload.example.test/files/";

    public const long ServerWideBodyLimit = 16 * 1024;

    public static readonly Jid Requester = Jid.Parse("romeo@example.org/garden");

    private readonly WebApplication _app;
    private readonly string _directory;
    private readonly KeyHolder _keys;

    private UploadServer(WebApplication app, string directory, KeyHolder keys, FakeTimeProvider clock, Uri baseAddress)
    {
        _app = app;
        _directory = directory;
        _keys = keys;
        Clock = clock;
        BaseAddress = baseAddress;
        Ledger = app.Services.GetRequiredService<SignallingLedger>();
        Blobs = app.Services.GetRequiredService<FlakyBlobStore>();
        Tokens = app.Services.GetRequiredService<SlotTokens>();
        Slots = new SlotService(Ledger, Tokens, new SlotUrls(new Uri(baseAddress, "files/")), new UploadOptions(), ["example.org"], clock);
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = System.Net.DecompressionMethods.None });
    }

    public FakeTimeProvider Clock { get; }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    public SignallingLedger Ledger { get; }

    public FlakyBlobStore Blobs { get; }

    public SlotTokens Tokens { get; }

    public SlotService Slots { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="settings">More configuration, e.g. <c>Http:StoredSlotCacheDuration</c>.</param>
    public static async Task<UploadServer> StartAsync(string corsAllowedOrigins = "*", IReadOnlyDictionary<string, string?>? settings = null)
    {
        var directory = Directory.CreateTempSubdirectory("xmppupload-http-tests-").FullName;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = directory, EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug).AddProvider(new TestOutputLoggerProvider(TestContext.Current.TestOutputHelper));
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // Far below the slots the tests upload: the PUT must lift the limit for its own body, and only to the slot's size.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = ServerWideBodyLimit);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Http:PublicUrl"] = PublicUrl,
            ["Http:CorsAllowedOrigins"] = corsAllowedOrigins,
            ["Storage:Path"] = directory,
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        var clock = new FakeTimeProvider();
        var keys = new KeyHolder();
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddEmbeddedStorage();
        builder.Services.RemoveAll<ILedger>();
        builder.Services.AddSingleton(provider => new SignallingLedger(provider.GetRequiredService<SqliteLedger>()));
        builder.Services.AddSingleton<ILedger>(provider => provider.GetRequiredService<SignallingLedger>());
        builder.Services.RemoveAll<IBlobStore>();
        builder.Services.AddSingleton(provider => new FlakyBlobStore(provider.GetRequiredService<FileSystemBlobStore>()));
        builder.Services.AddSingleton<IBlobStore>(provider => provider.GetRequiredService<FlakyBlobStore>());
        builder.Services.AddSingleton(new SlotTokens(() => keys.Keys));
        builder.Services.AddUploadEndpoints();

        var app = builder.Build();
        app.MapUploadEndpoints();
        await app.StartAsync(TestContext.Current.CancellationToken);

        keys.Keys = await app.Services.GetRequiredService<ISigningKeyStore>().GetOrCreateKeysAsync(clock, TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new UploadServer(app, directory, keys, clock, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>Grants a slot through Core, as an XEP-0363 request would.</summary>
    public async Task<GrantedSlot> GrantAsync(string fileName, long size, string? contentType = null, Purpose purpose = Purpose.Message, DateTimeOffset? expireBefore = null)
    {
        var name = FileNames.Normalize(fileName);
        Assert.True(name.IsAccepted, name.Error);
        var decision = await Slots.RequestAsync(Requester, new SlotRequest(name.Name!, size, contentType, purpose, expireBefore), TestContext.Current.CancellationToken);
        Assert.NotNull(decision.Granted);
        return decision.Granted;
    }

    public static string TokenOf(GrantedSlot slot) => slot.PutHeaders.Single(h => h.Key == "Authorization").Value;

    /// <summary>PUTs <paramref name="body"/> with the slot's headers unless told otherwise.</summary>
    public Task<HttpResponseMessage> PutAsync(
        GrantedSlot slot,
        byte[] body,
        string? contentType = null,
        string? authorization = null,
        bool withoutAuthorization = false,
        Uri? url = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, url ?? slot.PutUrl) { Content = new ByteArrayContent(body) };
        if (!withoutAuthorization)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization ?? TokenOf(slot));
        }

        var type = contentType ?? slot.Slot.ContentType;
        if (type is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        }

        return Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Grants a slot and uploads <paramref name="body"/> into it, asserting 201.</summary>
    public async Task<GrantedSlot> StoreAsync(string fileName, byte[] body, string? contentType = null, Purpose purpose = Purpose.Message, DateTimeOffset? expireBefore = null)
    {
        var slot = await GrantAsync(fileName, body.Length, contentType, purpose, expireBefore);
        using var response = await PutAsync(slot, body);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return slot;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, Action<HttpRequestHeaders>? headers = null)
    {
        var request = new HttpRequestMessage(method, url);
        headers?.Invoke(request.Headers);
        return Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public Task<HttpResponseMessage> GetAsync(Uri url, Action<HttpRequestHeaders>? headers = null) => SendAsync(HttpMethod.Get, url, headers);

    /// <summary>Sends a request line exactly as written (HttpClient would normalize the target) and returns the status.</summary>
    public async Task<int> RawStatusAsync(string method, string target, string headers = "")
    {
        await using var connection = await RawConnection.OpenAsync(BaseAddress);
        await connection.SendAsync($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{headers}\r\n");
        return (await connection.ReadHeadAsync()).Status;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory harms nothing.
        }
    }

    private sealed class KeyHolder
    {
        public IReadOnlyList<SigningKey> Keys { get; set; } = [];
    }
}
