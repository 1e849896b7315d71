using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using XmppUpload.Testing;
using Xunit;

namespace XmppUpload.Interop.Tests;

/// <summary>
/// Proves the interop building blocks without the upload service: real Prosody and ejabberd start from the
/// infra/ templates, real clients (slixmpp, go-sendxmpp) log in over STARTTLS, and a stand-in component
/// (clients/fake_component.py) attached through XEP-0114 is discovered through the server's disco#items.
/// </summary>
public sealed class InfraSmokeTests
{
    private const string UploadNamespace = "urn:xmpp:http:upload:0";
    private const long FakeMaxFileSize = 4096;

    private static readonly Dictionary<string, string> Users = new() { ["alice"] = "alice-pw", ["bob"] = "bob-pw" };

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = 180_000)]
    public async Task Prosody_StartsAndAcceptsClientLoginAndComponent()
    {
        await using var server = await ProsodyServer.StartAsync(new ProsodyOptions { Users = Users }, Cancellation);
        var alice = new SlixmppClient(server, "alice", Users["alice"]);

        // Prosody lists a subdomain Component in disco#items even while nothing is attached, and answers for it.
        var before = await alice.DiscoAsync(Cancellation);
        Assert.True(before.ExitCode == 0, before.ToString());
        Assert.Contains(server.ComponentDomain, ItemJids(before.Json));
        Assert.Equal(JsonValueKind.Null, before.Json.GetProperty("service").ValueKind);

        await using var component = await FakeUploadComponent.StartAsync(server, FakeMaxFileSize, cancellationToken: Cancellation);
        await AssertComponentIsDiscoveredAndAnswersAsync(server, alice);
    }

    [Fact(Timeout = 180_000)]
    public async Task Ejabberd_StartsAndAcceptsClientLoginAndComponent()
    {
        await using var server = await EjabberdServer.StartAsync(new EjabberdOptions { Users = Users }, Cancellation);
        var alice = new SlixmppClient(server, "alice", Users["alice"]);

        // ejabberd lists an external component only while it is connected.
        var before = await alice.DiscoAsync(Cancellation);
        Assert.True(before.ExitCode == 0, before.ToString());
        Assert.DoesNotContain(server.ComponentDomain, ItemJids(before.Json));

        await using var component = await FakeUploadComponent.StartAsync(server, FakeMaxFileSize, cancellationToken: Cancellation);
        await AssertComponentIsDiscoveredAndAnswersAsync(server, alice);
    }

    [Fact(Timeout = 180_000)]
    public async Task Prosody_UserRegisteredWhileRunning_CanLogInAndWrongPasswordFails()
    {
        await using var server = await ProsodyServer.StartAsync(cancellationToken: Cancellation);
        await server.RegisterUserAsync("carol", "carol-pw", Cancellation);

        var loggedIn = await new SlixmppClient(server, "carol", "carol-pw").DiscoAsync(Cancellation);
        Assert.True(loggedIn.ExitCode == 0, loggedIn.ToString());

        var refused = await new SlixmppClient(server, "carol", "wrong").DiscoAsync(Cancellation);
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Equal("authentication failed", refused.Json.GetProperty("failure").GetString());
    }

    [Fact(Timeout = 180_000)]
    public async Task Slixmpp_WithoutTheServersCa_FailsTlsVerification()
    {
        await using var server = await ProsodyServer.StartAsync(new ProsodyOptions { Users = Users }, Cancellation);
        using var otherCa = TemporaryDirectory.Create("other-ca");
        var untrusting = new SlixmppClient(server, "alice", Users["alice"])
        {
            CaFile = TestCertificates.Create(otherCa.Path, "localhost").CaCertificatePath,
        };

        var result = await untrusting.DiscoAsync(Cancellation);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("TLS certificate not trusted", result.Json.GetProperty("failure").GetString(), StringComparison.Ordinal);
    }

    [Theory(Timeout = 180_000)]
    [InlineData("prosody")]
    [InlineData("ejabberd")]
    public async Task Clients_UploadThroughServerAndComponent_PutTheBytesAtTheSlot(string kind)
    {
        await using var server = await XmppTestServers.StartAsync(kind, Users, cancellationToken: Cancellation);
        using var http = new RecordingHttpEndpoint();
        await using var component = await FakeUploadComponent.StartAsync(server, FakeMaxFileSize, http.BaseUrl, cancellationToken: Cancellation);
        using var files = TemporaryDirectory.Create("upload-smoke");
        var content = new byte[3000];
        Random.Shared.NextBytes(content);
        var path = files.Combine("photo.bin");
        await File.WriteAllBytesAsync(path, content, Cancellation);

        var slixmpp = await new SlixmppClient(server, "alice", Users["alice"]).UploadAsync(
            new SlixmppUpload { FilePath = path, ContentType = "application/octet-stream" },
            cancellationToken: Cancellation);
        Assert.True(slixmpp.ExitCode == 0, slixmpp.ToString());
        Assert.Equal(201, slixmpp.Json.GetProperty("put_status").GetInt32());
        Assert.Equal(200, slixmpp.Json.GetProperty("get_status").GetInt32());
        Assert.True(slixmpp.Json.GetProperty("bytes_equal").GetBoolean(), slixmpp.ToString());

        var goSendxmpp = await GoSendxmpp.SendFileAsync(server, "alice", Users["alice"], $"bob@{server.Domain}", path, cancellationToken: Cancellation);
        Assert.True(goSendxmpp.ExitCode == 0, goSendxmpp.ToString());
        Assert.NotNull(goSendxmpp.GetUrl);
        Assert.Equal(content, http.Stored(new Uri(goSendxmpp.GetUrl).AbsolutePath));
        Assert.Equal("Bearer fake", http.AuthorizationOf(new Uri(goSendxmpp.PutUrl!).AbsolutePath));
    }

    [Fact(Timeout = 60_000)]
    public async Task ExternalProcess_Dispose_KillsTheWholeProcessTree()
    {
        // The grandchild (sleep) inherits the output pipe: the output closes only when it is dead too.
        var process = ExternalProcess.Start("/bin/sh", ["-c", "sleep 600 & echo started; wait"]);
        await process.WaitForOutputAsync("started", TimeSpan.FromSeconds(30), Cancellation);

        await process.DisposeAsync();

        Assert.True(process.OutputClosed.IsCompleted, "A descendant still holds the output pipe after DisposeAsync.");
    }

    [Fact(Timeout = 60_000)]
    public async Task ExternalProcess_OutputEndsWithoutAwaitedLine_FailsWithTheOutput()
    {
        await using var process = ExternalProcess.Start("/bin/sh", ["-c", "echo to-stdout; echo to-stderr >&2"]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => process.WaitForOutputAsync("never printed", TimeSpan.FromSeconds(30), Cancellation));

        Assert.Contains("to-stdout", error.Message, StringComparison.Ordinal);
        Assert.Contains("to-stderr", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(30), Cancellation));
    }

    private static async Task AssertComponentIsDiscoveredAndAnswersAsync(IXmppTestServer server, SlixmppClient client)
    {
        var logged = await server.WaitForComponentAuthenticatedAsync(1, TimeSpan.FromSeconds(30), Cancellation);
        Assert.Contains(server.ComponentDomain, logged, StringComparison.Ordinal);

        var disco = await client.DiscoAsync(Cancellation);
        Assert.True(disco.ExitCode == 0, disco.ToString());
        var service = disco.Json.GetProperty("service");
        Assert.True(service.ValueKind == JsonValueKind.Object, $"{disco}{Environment.NewLine}{server.Output}");
        Assert.Equal(server.ComponentDomain, service.GetProperty("jid").GetString());
        Assert.Contains(UploadNamespace, service.GetProperty("features").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(FakeMaxFileSize, service.GetProperty("max_file_size").GetInt64());

        // A slot request with a non-ASCII name and a purpose element goes through the server and back.
        using var files = TemporaryDirectory.Create("smoke");
        var path = files.Combine("small.txt");
        await File.WriteAllTextAsync(path, "hello", Cancellation);
        var slot = await client.UploadAsync(
            new SlixmppUpload { FilePath = path, Name = "Grüße 📎.txt", ContentType = "text/plain", Purpose = "ephemeral", ExpireBefore = "2030-01-01T00:00:00Z", SlotOnly = true },
            cancellationToken: Cancellation);
        Assert.True(slot.ExitCode == 0, slot.ToString());
        Assert.Equal("Grüße 📎.txt", slot.Json.GetProperty("name").GetString());
        Assert.Equal("Bearer fake", slot.Json.GetProperty("put_headers").GetProperty("Authorization").GetString());

        // An IQ error comes back with its application-specific child parsed.
        var tooLarge = await client.UploadAsync(
            new SlixmppUpload { FilePath = path, Size = FakeMaxFileSize + 1, SlotOnly = true },
            cancellationToken: Cancellation);
        Assert.True(tooLarge.ExitCode == 3, tooLarge.ToString());
        var error = tooLarge.Json.GetProperty("error");
        Assert.Equal("modify", error.GetProperty("type").GetString());
        Assert.Equal("not-acceptable", error.GetProperty("condition").GetString());
        Assert.Equal(FakeMaxFileSize, error.GetProperty("max_file_size").GetInt64());

        // Any payload reaches the component and the raw answer is reported.
        var raw = await client.RawIqAsync("<ping xmlns='urn:xmpp:ping'/>", server.ComponentDomain, cancellationToken: Cancellation);
        Assert.True(raw.ExitCode == 0, raw.ToString());
        Assert.Equal("error", raw.Json.GetProperty("response_type").GetString());
        Assert.Equal("service-unavailable", raw.Json.GetProperty("error").GetProperty("condition").GetString());
    }

    private static IEnumerable<string?> ItemJids(JsonElement disco) =>
        disco.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("jid").GetString());

    /// <summary>The HTTP side of the fake component's slots: stores PUT bodies, serves them to GET.</summary>
    private sealed class RecordingHttpEndpoint : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentDictionary<string, (byte[] Body, string? Authorization)> _stored = new();
        private readonly Task _loop;

        public RecordingHttpEndpoint()
        {
            var port = FreeTcpPort.Get();
            BaseUrl = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/upload";
            _listener.Prefixes.Add($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
            _listener.Start();
            _loop = Task.Run(ServeAsync);
        }

        public string BaseUrl { get; }

        public byte[]? Stored(string path) => _stored.TryGetValue(path, out var entry) ? entry.Body : null;

        public string? AuthorizationOf(string path) => _stored.TryGetValue(path, out var entry) ? entry.Authorization : null;

        public void Dispose()
        {
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                var path = context.Request.Url!.AbsolutePath;
                if (context.Request.HttpMethod == "PUT")
                {
                    using var body = new MemoryStream();
                    await context.Request.InputStream.CopyToAsync(body);
                    _stored[path] = (body.ToArray(), context.Request.Headers["Authorization"]);
                    context.Response.StatusCode = 201;
                }
                else if (context.Request.HttpMethod == "GET" && _stored.TryGetValue(path, out var entry))
                {
                    context.Response.StatusCode = 200;
                    context.Response.ContentLength64 = entry.Body.Length;
                    await context.Response.OutputStream.WriteAsync(entry.Body);
                }
                else
                {
                    context.Response.StatusCode = 404;
                }

                context.Response.Close();
            }
        }
    }
}
