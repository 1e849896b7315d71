using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using XmppUpload.Core.Addressing;
using XmppUpload.Http.Dav;
using XmppUpload.Http.Tests.Support;
using XmppUpload.Storage;
using XmppUpload.Testing;

namespace XmppUpload.Http.Tests.Dav;

/// <summary>
/// A real Kestrel on 127.0.0.1:0 with embedded storage and the WebDAV endpoint at <c>/dav/</c>, authenticated by
/// <see cref="BasicJidAuthenticator"/> (tests only: Basic, user = JID, no XMPP).
/// </summary>
public sealed class DavServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;

    private DavServer(WebApplication app, string directory, Uri baseAddress)
    {
        _app = app;
        _directory = directory;
        BaseAddress = baseAddress;
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    /// <summary>The blob store the endpoint writes to; it can be told to fail, as a full disk or a broken object store would.</summary>
    public XmppUpload.Http.Tests.Support.FlakyBlobStore Blobs => _app.Services.GetRequiredService<XmppUpload.Http.Tests.Support.FlakyBlobStore>();

    public static async Task<DavServer> StartAsync(long quota = 1024 * 1024, long maxFileSize = 64 * 1024)
    {
        var directory = Directory.CreateTempSubdirectory("xmppupload-dav-tests-").FullName;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = directory, EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug).AddProvider(new TestOutputLoggerProvider(TestContext.Current.TestOutputHelper));
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Path"] = directory,
            ["WebDav:Quota"] = quota.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["WebDav:MaxFileSize"] = maxFileSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        builder.Services.AddEmbeddedStorage();
        builder.Services.AddSingleton(provider => new XmppUpload.Http.Tests.Support.FlakyBlobStore(provider.GetRequiredService<XmppUpload.Storage.FileSystem.FileSystemBlobStore>()));
        builder.Services.AddSingleton<XmppUpload.Core.Ports.IBlobStore>(provider => provider.GetRequiredService<XmppUpload.Http.Tests.Support.FlakyBlobStore>());
        builder.Services.AddWebDav();
        builder.Services.AddSingleton<IDavAuthenticator, BasicJidAuthenticator>();
        var app = builder.Build();
        app.MapWebDav();
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new DavServer(app, directory, new Uri(address.TrimEnd('/') + "/"));
    }

    public Uri Url(string path) => new(BaseAddress, "dav/" + path.TrimStart('/'));

    public Task<HttpResponseMessage> SendAsync(string method, string path, string? jid, HttpContent? content = null, Action<HttpRequestHeaders>? headers = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), Url(path)) { Content = content };
        if (jid is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(jid + ":secret")));
        }

        headers?.Invoke(request.Headers);
        return Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public Task<HttpResponseMessage> PutAsync(string path, string jid, string body, Action<HttpRequestHeaders>? headers = null) =>
        SendAsync("PUT", path, jid, new StringContent(body, Encoding.UTF8, "text/plain"), headers);

    public Task<HttpResponseMessage> XmlAsync(string method, string path, string jid, string xml, string? depth = null) =>
        SendAsync(method, path, jid, new StringContent(xml, Encoding.UTF8, "application/xml"), h =>
        {
            if (depth is not null)
            {
                h.Add("Depth", depth);
            }
        });

    public async Task<int> RawStatusAsync(string method, string target, string jid)
    {
        await using var connection = await RawConnection.OpenAsync(BaseAddress);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes(jid + ":secret"));
        await connection.SendAsync($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Basic {auth}\r\nContent-Length: 0\r\n\r\n");
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

    /// <summary>Tests only: Basic with the JID as user and any password, decided by the handler's predicate, no XMPP.</summary>
    private sealed class BasicJidAuthenticator : IDavAuthenticator
    {
        public ValueTask<DavAuthentication> AuthenticateAsync(HttpContext context, Func<Jid, DavAccess> decide, CancellationToken cancellationToken)
        {
            if (AuthenticationHeaderValue.TryParse(context.Request.Headers.Authorization, out var header)
                && string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) && header.Parameter is { } parameter)
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && Jid.TryParse(decoded[..colon], out var jid))
                {
                    if (decide(jid) == DavAccess.Allowed)
                    {
                        return ValueTask.FromResult(new DavAuthentication(jid));
                    }

                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return ValueTask.FromResult(DavAuthentication.ResponseWritten);
                }
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"xmpp\"";
            return ValueTask.FromResult(DavAuthentication.ResponseWritten);
        }
    }
}
