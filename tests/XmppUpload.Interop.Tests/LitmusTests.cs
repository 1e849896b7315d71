using System.Globalization;
using System.Text.RegularExpressions;
using XmppUpload.Testing;

namespace XmppUpload.Interop.Tests;

/// <summary>
/// Debian's litmus, the WebDAV conformance suite, against the node's XEP-0129 endpoint: every test of its basic,
/// copymove and props suites must pass. Nothing is stubbed: litmus logs in with a JID as its user name, the node asks
/// that JID over XMPP (XEP-0070, through a real Prosody) to confirm each new transaction, and a real slixmpp client
/// logged in as that JID confirms.
/// </summary>
public sealed class LitmusTests
{
    private const string User = "litmus";
    private const string Password = "litmus-password";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task Litmus_BasicCopyMoveAndProps_AllPassWithXep0070Confirmation()
    {
        var litmus = new[] { "/usr/bin/litmus", "/usr/local/bin/litmus" }.FirstOrDefault(File.Exists);
        Assert.True(litmus is not null, "litmus is not installed; apt-get install -y litmus (infra/install-test-deps.sh installs it)");

        await using var prosody = await ProsodyServer.StartAsync(new ProsodyOptions { Users = new Dictionary<string, string> { [User] = Password } }, Cancellation);
        await using var node = await NodeProcess.StartAsync(
            new Dictionary<string, string>
            {
                ["Xmpp:Server"] = $"127.0.0.1:{prosody.ComponentPort.ToString(CultureInfo.InvariantCulture)}",
                ["Xmpp:Domain"] = prosody.ComponentDomain,
                ["Xmpp:Secret"] = prosody.ComponentSecret,
                // litmus answers Digest challenges with a fresh cnonce (the transaction id) per authentication session.
                ["WebDav:PromptsPerWindow"] = "1000",
            },
            cancellationToken: Cancellation);
        await using var confirmer = await ConfirmingClient.StartAsync(prosody, User, Password, [], acceptAny: true, cancellationToken: Cancellation);
        using var work = TemporaryDirectory.Create("litmus");

        // The full JID: the node asks it by IQ (XEP-0070 section 4.2), and the confirming client answers.
        await using var run = ExternalProcess.Start(
            litmus,
            [new Uri(node.PublicUrl, "dav/").AbsoluteUri, confirmer.FullJid, "transaction-litmus-1"],
            new ExternalProcessOptions
            {
                Name = "litmus",
                WorkingDirectory = work.Path,
                Environment = new Dictionary<string, string?> { ["TESTS"] = "basic copymove props" },
            });
        await run.WaitForExitAsync(TimeSpan.FromMinutes(4), Cancellation);
        var text = run.Output;
        TestContext.Current.TestOutputHelper?.WriteLine(text);
        var requests = await confirmer.StopAsync(Cancellation);

        foreach (var suite in new[] { "basic", "copymove", "props" })
        {
            var summary = SummaryPattern(suite).Match(text);
            Assert.True(summary.Success, $"litmus printed no summary for '{suite}':\n{text}\n{node.Process.Output}");
            Assert.True(summary.Groups["run"].Value == summary.Groups["passed"].Value && summary.Groups["failed"].Value == "0",
                $"litmus '{suite}': {summary.Value}\n{text}\n{node.Process.Output}");
        }

        // The confirmations really went over XMPP, by IQ to the full JID, for requests under the WebDAV path.
        Assert.NotEmpty(requests);
        Assert.All(requests, request =>
        {
            Assert.Equal("iq", request.GetProperty("via").GetString());
            Assert.Equal("confirmed", request.GetProperty("answer").GetString());
            Assert.Contains("/dav/", request.GetProperty("url").GetString(), StringComparison.Ordinal);
        });
    }

    // "<- summary for `basic': of 16 tests run: 16 passed, 0 failed. 100.0%"
    private static Regex SummaryPattern(string suite) =>
        new($@"summary for `{suite}': of (?<run>\d+) tests run: (?<passed>\d+) passed, (?<failed>\d+) failed");
}
