using System.Globalization;
using XmppUpload.Testing;

namespace XmppUpload.Interop.Tests;

/// <summary>How the node's component link behaves against a real Prosody when the configuration does not match.</summary>
public sealed class ComponentLinkInteropTests
{
    private static readonly Dictionary<string, string> Users = new() { ["alice"] = "alice-password" };

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = 120_000)]
    public async Task WrongSecret_IsLoggedAsSuch_AndTheNodeRetries()
    {
        await using var prosody = await ProsodyServer.StartAsync(new ProsodyOptions { Users = Users }, Cancellation);

        await using var node = await NodeProcess.StartAsync(
            Settings(prosody, secret: "not-the-secret"), waitForComponent: false, cancellationToken: Cancellation);

        await node.Process.WaitForOutputAsync("the secret is wrong", TimeSpan.FromSeconds(30), Cancellation);
        await node.Process.WaitForOutputAsync("Reconnecting to the XMPP server", TimeSpan.FromSeconds(30), Cancellation);
        Assert.DoesNotContain(NodeProcess.ComponentReadyMarker, node.Process.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task RequesterFromAnUnservedDomain_IsForbiddenWithText()
    {
        await using var prosody = await ProsodyServer.StartAsync(new ProsodyOptions { Users = Users }, Cancellation);
        var settings = Settings(prosody, prosody.ComponentSecret);
        settings["Xmpp:ServedDomains:0"] = "example.net";
        await using var node = await NodeProcess.StartAsync(settings, cancellationToken: Cancellation);
        var client = new SlixmppClient(prosody, "alice", Users["alice"]) { CaFile = prosody.CaCertificatePath };

        var answer = await client.RawIqAsync(
            "<request xmlns='urn:xmpp:http:upload:0' filename='a.txt' size='10'/>", prosody.ComponentDomain, cancellationToken: Cancellation);

        Assert.True(answer.ExitCode == 0, answer.ToString());
        var error = answer.Json.GetProperty("error");
        // XEP-0363 section 6: an entity that may not upload gets forbidden, type auth.
        Assert.Equal("auth", error.GetProperty("type").GetString());
        Assert.Equal("forbidden", error.GetProperty("condition").GetString());
        Assert.Contains(prosody.Domain, error.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task MissingSecret_StopsTheNodeAtStartWithOneLineNamingTheKey()
    {
        var settings = new Dictionary<string, string> { ["Xmpp:Server"] = "127.0.0.1:1" };

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => NodeProcess.StartAsync(settings, TimeSpan.FromSeconds(60), cancellationToken: Cancellation));

        Assert.Contains("Xmpp:Secret", failure.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Settings(ProsodyServer prosody, string secret) => new()
    {
        ["Xmpp:Server"] = $"127.0.0.1:{prosody.ComponentPort.ToString(CultureInfo.InvariantCulture)}",
        ["Xmpp:Domain"] = prosody.ComponentDomain,
        ["Xmpp:Secret"] = secret,
    };

    [Fact(Timeout = 120_000)]
    public async Task WebDavDisabled_IsNotAdvertised()
    {
        await using var prosody = await ProsodyServer.StartAsync(new ProsodyOptions { Users = Users }, Cancellation);
        var settings = Settings(prosody, prosody.ComponentSecret);
        settings["WebDav:Enabled"] = "false";
        await using var node = await NodeProcess.StartAsync(settings, cancellationToken: Cancellation);

        var disco = await new SlixmppClient(prosody, "alice", Users["alice"]) { CaFile = prosody.CaCertificatePath }.DiscoAsync(Cancellation);

        Assert.True(disco.ExitCode == 0, disco.ToString());
        var features = disco.Json.GetProperty("service").GetProperty("features").EnumerateArray().Select(f => f.GetString()).ToList();
        Assert.Contains("urn:xmpp:http:upload:0", features);
        Assert.DoesNotContain("http://www.xmpp.org/extensions/xep-0129.html#ns", features);
        Assert.DoesNotContain("http://jabber.org/protocol/http-auth", features);
    }
}
