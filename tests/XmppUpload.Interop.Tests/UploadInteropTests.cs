using System.Net;
using System.Text;
using System.Text.Json;
using XmppUpload.Testing;

namespace XmppUpload.Interop.Tests;

/// <summary>
/// XEP-0363 end to end with real parts: real clients log in to a real XMPP server, find the node through the
/// server's service discovery, and upload and download through the node's HTTPS endpoint. Each server runs the same
/// tests through its own derived class.
/// </summary>
public abstract class UploadInteropTests<TFixture>(TFixture fixture)
    where TFixture : NodeFixture
{
    private const string UploadNamespace = "urn:xmpp:http:upload:0";
    private const string PurposeNamespace = "urn:xmpp:http:upload:purpose:0";

    protected TFixture Fixture { get; } = fixture;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = 120_000)]
    public async Task Disco_ThroughTheServer_FindsTheServiceWithItsFeaturesAndLimit()
    {
        var disco = await Fixture.Client().DiscoAsync(Cancellation);

        Assert.True(disco.ExitCode == 0, disco.ToString());
        var service = disco.Json.GetProperty("service");
        Assert.True(service.ValueKind == JsonValueKind.Object, disco.ToString());
        Assert.Equal(Fixture.Server.ComponentDomain, service.GetProperty("jid").GetString());
        var identity = Assert.Single(service.GetProperty("identities").EnumerateArray());
        Assert.Equal("store", identity.GetProperty("category").GetString());
        Assert.Equal("file", identity.GetProperty("type").GetString());
        Assert.Equal("HTTP File Upload", identity.GetProperty("name").GetString());
        var features = service.GetProperty("features").EnumerateArray().Select(f => f.GetString()).ToList();
        Assert.Contains(UploadNamespace, features);
        Assert.Contains("http://jabber.org/protocol/disco#info", features);
        Assert.Contains($"{PurposeNamespace}#message", features);
        Assert.Contains($"{PurposeNamespace}#profile", features);
        Assert.Contains($"{PurposeNamespace}#ephemeral", features);
        // Disabled in the fixture, so not advertised.
        Assert.DoesNotContain($"{PurposeNamespace}#permanent", features);
        // WebDAV is enabled by default: XEP-0129 and the XEP-0070 it verifies requests with (issue: "when WebDAV is enabled").
        Assert.Contains("http://www.xmpp.org/extensions/xep-0129.html#ns", features);
        Assert.Contains("http://jabber.org/protocol/http-auth", features);
        Assert.Contains("http://jabber.org/protocol/commands", features);
        // XEP-0363 section 4: max-file-size in the XEP-0128 form, in bytes.
        Assert.Equal(NodeFixture.MaxFileSize, service.GetProperty("max_file_size").GetInt64());
    }

    [Fact(Timeout = 120_000)]
    public async Task Slixmpp_UploadsNonAsciiFileName_AndGetsTheSameBytesBack()
    {
        using var files = TemporaryDirectory.Create("interop-upload");
        var path = files.Combine("source.bin");
        var content = new byte[300_000];
        Random.Shared.NextBytes(content);
        await File.WriteAllBytesAsync(path, content, Cancellation);
        const string name = "Grüße aus Köln – 写真 😀.jpg";

        var upload = await Fixture.Client().UploadAsync(
            new SlixmppUpload { FilePath = path, Name = name, ContentType = "image/jpeg" },
            cancellationToken: Cancellation);

        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Equal(201, upload.Json.GetProperty("put_status").GetInt32());
        Assert.Equal(200, upload.Json.GetProperty("get_status").GetInt32());
        Assert.True(upload.Json.GetProperty("bytes_equal").GetBoolean(), upload.ToString());
        var getUrl = new Uri(upload.Json.GetProperty("get_url").GetString()!);
        Assert.Equal(Uri.UriSchemeHttps, getUrl.Scheme);
        // XEP-0363 section 5: the name and its ending are kept, non-ASCII percent-encoded (RFC 3986).
        Assert.True(getUrl.AbsoluteUri.All(c => c < 128), getUrl.AbsoluteUri);
        Assert.EndsWith(".jpg", getUrl.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal(name, Uri.UnescapeDataString(getUrl.Segments[^1]));
    }

    [Fact(Timeout = 120_000)]
    public async Task GoSendxmpp_SendsAFileWithHttpUpload_AndTheRecipientsLinkServesTheSameBytes()
    {
        using var files = TemporaryDirectory.Create("interop-sendxmpp");
        var path = files.Combine("notes été.txt");
        var content = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("go-sendxmpp through XmppUpload\n", 2000)));
        await File.WriteAllBytesAsync(path, content, Cancellation);
        await using var bob = await Fixture.Client("bob").StartReceivingAsync(TimeSpan.FromSeconds(60), Cancellation);

        var sent = await GoSendxmpp.SendFileAsync(
            Fixture.Server, "alice", NodeFixture.Users["alice"], $"bob@{Fixture.Server.Domain}", path, cancellationToken: Cancellation);
        var received = await bob.WaitAsync(Cancellation);

        Assert.True(sent.ExitCode == 0, sent.ToString());
        Assert.True(received.ExitCode == 0, received.ToString());
        var message = received.Json.GetProperty("message");
        Assert.StartsWith($"alice@{Fixture.Server.Domain}", message.GetProperty("from").GetString(), StringComparison.Ordinal);
        // The link bob got is the node's GET URL, in the body and as XEP-0066 out-of-band data.
        var link = new Uri(message.GetProperty("body").GetString()!.Trim());
        Assert.StartsWith(Fixture.Node.PublicUrl.AbsoluteUri, link.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(link.AbsoluteUri, message.GetProperty("oob_url").GetString());
        using var http = HttpsClient();
        Assert.Equal(content, await http.GetByteArrayAsync(link, Cancellation));
    }

    [Theory(Timeout = 120_000)]
    [InlineData("<request xmlns='urn:xmpp:http:upload:0' filename='a.txt'/>", "size")]
    [InlineData("<request xmlns='urn:xmpp:http:upload:0' filename='a.txt' size='ten'/>", "size")]
    [InlineData("<request xmlns='urn:xmpp:http:upload:0' filename='a.txt' size='0'/>", "size")]
    [InlineData("<request xmlns='urn:xmpp:http:upload:0' filename='a.txt' size='-1'/>", "size")]
    [InlineData("<request xmlns='urn:xmpp:http:upload:0' filename='' size='10'/>", "file name")]
    [InlineData("<request xmlns='urn:xmpp:http:upload:0' size='10'/>", "file name")]
    [InlineData("<request xmlns='urn:xmpp:http:upload:0' filename='a.txt' size='10'><permanent xmlns='urn:xmpp:http:upload:purpose:0'/></request>", "permanent")]
    [InlineData("<request xmlns='urn:xmpp:http:upload:0' filename='a.txt' size='10'><ephemeral xmlns='urn:xmpp:http:upload:purpose:0'/></request>", "expire-before")]
    [InlineData("<request xmlns='urn:xmpp:http:upload:0' filename='a.txt' size='10'><ephemeral xmlns='urn:xmpp:http:upload:purpose:0' expire-before='next week'/></request>", "expire-before")]
    [InlineData("<request xmlns='urn:xmpp:http:upload:0' filename='a.txt' size='10'><ephemeral xmlns='urn:xmpp:http:upload:purpose:0' expire-before='2001-01-01T00:00:00Z'/></request>", "passed")]
    public async Task MalformedSlotRequest_GetsBadRequestWithTextAndRecordsNothing(string payload, string textMentions)
    {
        var slotsBefore = await Fixture.CountSlotsAsync();

        var answer = await Fixture.Client().RawIqAsync(payload, Fixture.Server.ComponentDomain, cancellationToken: Cancellation);

        Assert.True(answer.ExitCode == 0, answer.ToString());
        Assert.Equal("error", answer.Json.GetProperty("response_type").GetString());
        var error = answer.Json.GetProperty("error");
        Assert.Equal("modify", error.GetProperty("type").GetString());
        Assert.Equal("bad-request", error.GetProperty("condition").GetString());
        Assert.Contains(textMentions, error.GetProperty("text").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(slotsBefore, await Fixture.CountSlotsAsync());
    }

    [Fact(Timeout = 120_000)]
    public async Task TooLargeRequest_GetsFileTooLargeWithTheLimitOfItsPurpose()
    {
        var slotsBefore = await Fixture.CountSlotsAsync();
        using var files = TemporaryDirectory.Create("interop-large");
        var path = files.Combine("big.bin");
        await File.WriteAllBytesAsync(path, [1, 2, 3], Cancellation);

        var message = await Fixture.Client().UploadAsync(
            new SlixmppUpload { FilePath = path, Size = NodeFixture.MaxFileSize + 1, SlotOnly = true }, cancellationToken: Cancellation);
        var profile = await Fixture.Client().UploadAsync(
            new SlixmppUpload { FilePath = path, Size = 65537, Purpose = "profile", SlotOnly = true }, cancellationToken: Cancellation);

        foreach (var (result, limit) in new[] { (message, NodeFixture.MaxFileSize), (profile, 65536L) })
        {
            Assert.True(result.ExitCode == 3, result.ToString());
            var error = result.Json.GetProperty("error");
            // XEP-0363 section 6: not-acceptable, type modify, <file-too-large><max-file-size/>.
            Assert.Equal("modify", error.GetProperty("type").GetString());
            Assert.Equal("not-acceptable", error.GetProperty("condition").GetString());
            Assert.Equal(limit, error.GetProperty("max_file_size").GetInt64());
            Assert.Contains(limit.ToString(System.Globalization.CultureInfo.InvariantCulture), error.GetProperty("text").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(slotsBefore, await Fixture.CountSlotsAsync());
    }

    [Fact(Timeout = 120_000)]
    public async Task EphemeralSlot_IsGrantedWithAFutureExpireBefore()
    {
        using var files = TemporaryDirectory.Create("interop-ephemeral");
        var path = files.Combine("story.png");
        await File.WriteAllBytesAsync(path, [137, 80, 78, 71], Cancellation);
        var expireBefore = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

        var upload = await Fixture.Client("bob").UploadAsync(
            new SlixmppUpload { FilePath = path, ContentType = "image/png", Purpose = "ephemeral", ExpireBefore = expireBefore },
            cancellationToken: Cancellation);

        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.True(upload.Json.GetProperty("bytes_equal").GetBoolean(), upload.ToString());
    }

    [Fact(Timeout = 120_000)]
    public async Task PingAndVersion_AreAnswered_AndAnyOtherQueryGetsAnError()
    {
        var client = Fixture.Client();
        var to = Fixture.Server.ComponentDomain;

        var ping = await client.RawIqAsync("<ping xmlns='urn:xmpp:ping'/>", to, cancellationToken: Cancellation);
        var version = await client.RawIqAsync("<query xmlns='jabber:iq:version'/>", to, cancellationToken: Cancellation);
        var last = await client.RawIqAsync("<query xmlns='jabber:iq:last'/>", to, cancellationToken: Cancellation);
        var set = await client.RawIqAsync("<query xmlns='jabber:iq:private'/>", to, type: "set", cancellationToken: Cancellation);

        Assert.Equal("result", ping.Json.GetProperty("response_type").GetString());
        Assert.Equal("result", version.Json.GetProperty("response_type").GetString());
        Assert.Contains("<name>XmppUpload</name>", version.Json.GetProperty("response_xml").GetString(), StringComparison.Ordinal);
        foreach (var refused in new[] { last, set })
        {
            Assert.Equal("error", refused.Json.GetProperty("response_type").GetString());
            Assert.Equal("service-unavailable", refused.Json.GetProperty("error").GetProperty("condition").GetString());
            Assert.False(string.IsNullOrWhiteSpace(refused.Json.GetProperty("error").GetProperty("text").GetString()), refused.ToString());
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task PutWithoutToken_IsForbidden_AndTheSlotStillTakesTheRealUpload()
    {
        using var files = TemporaryDirectory.Create("interop-token");
        var path = files.Combine("doc.pdf");
        await File.WriteAllBytesAsync(path, Encoding.ASCII.GetBytes("%PDF-1.4 test"), Cancellation);
        var slot = await Fixture.Client().UploadAsync(
            new SlixmppUpload { FilePath = path, ContentType = "application/pdf", SlotOnly = true }, cancellationToken: Cancellation);
        Assert.True(slot.ExitCode == 0, slot.ToString());
        var putUrl = new Uri(slot.Json.GetProperty("put_url").GetString()!);
        var authorization = slot.Json.GetProperty("put_headers").GetProperty("Authorization").GetString()!;
        using var http = HttpsClient();

        using var anonymous = new HttpRequestMessage(HttpMethod.Put, putUrl) { Content = new ByteArrayContent(await File.ReadAllBytesAsync(path, Cancellation)) };
        anonymous.Content.Headers.ContentType = new("application/pdf");
        using var refused = await http.SendAsync(anonymous, Cancellation);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        using var signed = new HttpRequestMessage(HttpMethod.Put, putUrl) { Content = new ByteArrayContent(await File.ReadAllBytesAsync(path, Cancellation)) };
        signed.Content.Headers.ContentType = new("application/pdf");
        signed.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var created = await http.SendAsync(signed, Cancellation);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, putUrl), Cancellation);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(13, head.Content.Headers.ContentLength);
        Assert.Equal("attachment", head.Content.Headers.ContentDisposition?.DispositionType);
    }

    [Fact(Timeout = 120_000)]
    public async Task FillingTheProfileQuota_GetsResourceConstraintWithARetryStamp()
    {
        using var files = TemporaryDirectory.Create("interop-quota");
        var path = files.Combine("avatar.png");
        await File.WriteAllBytesAsync(path, new byte[60_000], Cancellation);
        var carol = Fixture.Client("carol");

        var first = await carol.UploadAsync(new SlixmppUpload { FilePath = path, ContentType = "image/png", Purpose = "profile" }, cancellationToken: Cancellation);
        var second = await carol.UploadAsync(new SlixmppUpload { FilePath = path, ContentType = "image/png", Purpose = "profile", SlotOnly = true }, cancellationToken: Cancellation);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 3, second.ToString());
        var error = second.Json.GetProperty("error");
        // XEP-0363 section 6: a temporary error with <retry stamp='...'/> in UTC; here space frees when the stored
        // avatar expires (the profile bucket keeps files a year).
        Assert.Equal("wait", error.GetProperty("type").GetString());
        Assert.Equal("resource-constraint", error.GetProperty("condition").GetString());
        Assert.Contains("quota", error.GetProperty("text").GetString(), StringComparison.Ordinal);
        var stamp = error.GetProperty("retry_stamp").GetString()!;
        Assert.EndsWith("Z", stamp, StringComparison.Ordinal);
        var retryAt = DateTimeOffset.Parse(stamp, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAt, DateTimeOffset.UtcNow.AddDays(364), DateTimeOffset.UtcNow.AddDays(366));
    }

    [Fact(Timeout = 120_000)]
    public async Task AdHocCommands_ListAndDeleteAFile_AndItsUrlThenAnswers404()
    {
        using var files = TemporaryDirectory.Create("interop-adhoc");
        var path = files.Combine("Übersicht.pdf");
        await File.WriteAllBytesAsync(path, Encoding.ASCII.GetBytes("%PDF-1.4 ad-hoc"), Cancellation);
        var upload = await Fixture.Client("dave").UploadAsync(new SlixmppUpload { FilePath = path, ContentType = "application/pdf" }, cancellationToken: Cancellation);
        Assert.True(upload.ExitCode == 0, upload.ToString());
        var getUrl = new Uri(upload.Json.GetProperty("get_url").GetString()!);

        var commands = await AdHocAsync("dave", "list-commands");
        var usage = await AdHocAsync("dave", "usage");
        var listed = await AdHocAsync("dave", "files");
        var othersView = await AdHocAsync("carol", "files");
        var deleted = await AdHocAsync("dave", "delete", "--name", "Übersicht.pdf");

        Assert.True(commands.ExitCode == 0, commands.ToString());
        var nodes = commands.Json.GetProperty("commands").EnumerateArray().Select(c => c.GetProperty("node").GetString()).ToList();
        Assert.Contains("usage", nodes);
        Assert.Contains("files", nodes);
        Assert.Contains("delete", nodes);
        Assert.True(usage.ExitCode == 0, usage.ToString());
        Assert.Contains(usage.Json.GetProperty("form").GetProperty("rows").EnumerateArray(), row => row.GetProperty("purpose").GetString() == "message" && row.GetProperty("stored-bytes").GetString() == "15");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var row = Assert.Single(listed.Json.GetProperty("form").GetProperty("rows").EnumerateArray());
        Assert.Equal("Übersicht.pdf", row.GetProperty("name").GetString());
        Assert.Equal(getUrl.AbsoluteUri, row.GetProperty("url").GetString());
        // Another account never sees dave's files.
        Assert.DoesNotContain("Übersicht.pdf", othersView.StandardOutput, StringComparison.Ordinal);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal("completed", deleted.Json.GetProperty("status").GetString());

        using var http = HttpsClient();
        using var get = await http.GetAsync(getUrl, Cancellation);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    private Task<ClientRunResult> AdHocAsync(string user, string command, params string[] arguments) =>
        SlixmppClient.RunScriptAsync(
            "adhoc.py",
            [command, "--jid", $"{user}@{Fixture.Server.Domain}", "--password", NodeFixture.Users[user], "--host", "127.0.0.1",
             "--port", Fixture.Server.ClientPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--ca-file", Fixture.Server.CaCertificatePath, .. arguments],
            TimeSpan.FromSeconds(90),
            Cancellation);

    /// <summary>An HTTP client that trusts the test CA, as the real clients do through their CA file.</summary>
    private HttpClient HttpsClient()
    {
        var ca = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(Fixture.Server.CaCertificatePath);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
        {
            if (certificate is null || chain is null)
            {
                return false;
            }

            if (errors == System.Net.Security.SslPolicyErrors.None)
            {
                return true;
            }

            chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
            return errors == System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors
                && chain.Build(new System.Security.Cryptography.X509Certificates.X509Certificate2(certificate));
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
    }
}
