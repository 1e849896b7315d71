using System.Xml.Linq;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Xmpp.Tests.Support;
using static XmppUpload.Xmpp.Tests.HttpAuth.Confirmations;

namespace XmppUpload.Xmpp.Tests.HttpAuth;

/// <summary>
/// XEP-0070 section 4.2 for a bare JID: a message with a thread, a human-readable body and the confirm element,
/// answered from any resource of that account by the mirrored confirm, a plain "OK", or an error.
/// </summary>
public sealed class ConfirmByMessageTests
{
    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(20);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BareJid_IsAskedByMessageWithThreadBodyAndConfirm_AndTheMirroredConfirmConfirms()
    {
        await using var host = await ConfirmHost.StartAsync(Token);

        var outcome = host.Confirmer.ConfirmAsync(Request(Juliet), Token);
        var message = await host.Link!.ReadStanzaAsync(Token);

        Assert.Equal(ComponentNs + "message", message.Name);
        Assert.Equal(("normal", Juliet, "upload.montague.tld"), ((string?)message.Attribute("type"), (string?)message.Attribute("to"), (string?)message.Attribute("from")));
        var thread = Assert.Single(message.Elements(ComponentNs + "thread")).Value;
        Assert.Matches("^[0-9a-f]{40}$", thread);
        var body = Assert.Single(message.Elements(ComponentNs + "body")).Value;
        Assert.Contains(Url, body, StringComparison.Ordinal);
        Assert.Contains("GET", body, StringComparison.Ordinal);
        Assert.Contains(TransactionId, body, StringComparison.Ordinal);
        Assert.Contains("OK", body, StringComparison.Ordinal);
        AssertConfirm(message);

        // XEP-0070 section 4.2, "XMPP Client Confirms Request via Message": no type, any resource of the account.
        await host.Link.SendAsync($"<message from='{JulietBalcony}' to='upload.montague.tld'><thread>{thread}</thread>{ConfirmXml()}</message>", Token);

        Assert.Equal(ConfirmationOutcome.Confirmed, await outcome.WaitAsync(SafetyTimeout, Token));
        Assert.Equal(0, host.Pending.Count);
        Assert.Equal(0, host.Concrete.Outstanding);
    }

    [Theory]
    [InlineData("OK")]
    [InlineData("  ok\n")]
    [InlineData("Ok")]
    public async Task PlainTextOkInTheThread_Confirms(string body)
    {
        await using var host = await ConfirmHost.StartAsync(Token);

        var outcome = host.Confirmer.ConfirmAsync(Request(Juliet), Token);
        var thread = ThreadOf(await host.Link!.ReadStanzaAsync(Token));
        await host.Link.SendAsync($"<message type='chat' from='juliet@capulet.com/phone' to='upload.montague.tld'><thread>{thread}</thread><body>{body}</body></message>", Token);

        Assert.Equal(ConfirmationOutcome.Confirmed, await outcome.WaitAsync(SafetyTimeout, Token));
    }

    [Fact]
    public async Task PlainTextNoInTheThread_Denies()
    {
        await using var host = await ConfirmHost.StartAsync(Token);

        var outcome = host.Confirmer.ConfirmAsync(Request(Juliet), Token);
        var thread = ThreadOf(await host.Link!.ReadStanzaAsync(Token));
        await host.Link.SendAsync($"<message type='chat' from='{JulietBalcony}' to='upload.montague.tld'><thread>{thread}</thread><body>No</body></message>", Token);

        Assert.Equal(ConfirmationOutcome.Denied, await outcome.WaitAsync(SafetyTimeout, Token));
    }

    [Theory]
    [InlineData("<error type='auth'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>")]
    [InlineData("<error code='401' type='auth'><not-authorized xmlns='urn:ietf:params:xml:xmpp-stanzas'/></error>")]
    [InlineData("<error type='cancel'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>")]
    public async Task ErrorWithTheConfirm_Denies(string error)
    {
        await using var host = await ConfirmHost.StartAsync(Token);

        var outcome = host.Confirmer.ConfirmAsync(Request(Juliet), Token);
        var thread = ThreadOf(await host.Link!.ReadStanzaAsync(Token));
        await host.Link.SendAsync($"<message type='error' from='{JulietBalcony}' to='upload.montague.tld'><thread>{thread}</thread>{ConfirmXml()}{error}</message>", Token);

        Assert.Equal(ConfirmationOutcome.Denied, await outcome.WaitAsync(SafetyTimeout, Token));
    }

    [Fact]
    public async Task BounceWithoutThread_MatchedByMessageId_IsUnavailable()
    {
        await using var host = await ConfirmHost.StartAsync(Token);

        var outcome = host.Confirmer.ConfirmAsync(Request(Juliet), Token);
        var sent = await host.Link!.ReadStanzaAsync(Token);
        var id = (string?)sent.Attribute("id");
        Assert.False(string.IsNullOrEmpty(id));

        // What a server that keeps no offline messages returns: the same id, no payload (RFC 6120 section 8.5.2.1.1).
        await host.Link.SendAsync(
            $"<message type='error' id='{id}' from='{Juliet}' to='upload.montague.tld'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>",
            Token);

        Assert.Equal(ConfirmationOutcome.Unavailable, await outcome.WaitAsync(SafetyTimeout, Token));
        Assert.Equal(0, host.Pending.Count);
    }

    [Fact]
    public async Task BounceThatEchoesThePayload_IsUnavailable()
    {
        await using var host = await ConfirmHost.StartAsync(Token);

        var outcome = host.Confirmer.ConfirmAsync(Request(Juliet), Token);
        var sent = await host.Link!.ReadStanzaAsync(Token);

        // Some servers bounce the original stanza with its children: the confirm element then comes back too.
        await host.Link.SendAsync(
            $"<message type='error' id='{sent.Attribute("id")!.Value}' from='{Juliet}' to='upload.montague.tld'><thread>{ThreadOf(sent)}</thread>{ConfirmXml()}<error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>",
            Token);

        Assert.Equal(ConfirmationOutcome.Unavailable, await outcome.WaitAsync(SafetyTimeout, Token));
    }

    [Theory]
    [InlineData("romeo@montague.tld/garden")]
    [InlineData("juliet@capulet.com.evil/balcony")]
    [InlineData("capulet.com")]
    public async Task AnswerFromAnotherJid_IsIgnored(string from)
    {
        await using var host = await ConfirmHost.StartAsync(Token);

        var outcome = host.Confirmer.ConfirmAsync(Request(Juliet), Token);
        var thread = ThreadOf(await host.Link!.ReadStanzaAsync(Token));
        await host.Link.SendAsync($"<message from='{from}' to='upload.montague.tld'><thread>{thread}</thread>{ConfirmXml()}</message>", Token);
        await host.Logs.WaitForAsync("ConfirmationAnswerIgnored");
        Assert.False(outcome.IsCompleted);

        host.Time.Advance(AnswerTimeout);

        Assert.Equal(ConfirmationOutcome.NoAnswer, await outcome.WaitAsync(SafetyTimeout, Token));
    }

    [Fact]
    public async Task ConfirmForAnotherTransaction_IsIgnored()
    {
        await using var host = await ConfirmHost.StartAsync(Token);

        var outcome = host.Confirmer.ConfirmAsync(Request(Juliet), Token);
        var thread = ThreadOf(await host.Link!.ReadStanzaAsync(Token));
        await host.Link.SendAsync($"<message from='{JulietBalcony}' to='upload.montague.tld'><thread>{thread}</thread>{ConfirmXml("other-transaction")}</message>", Token);
        await host.Logs.WaitForAsync("ConfirmationAnswerIgnored");
        Assert.False(outcome.IsCompleted);
        await host.Link.SendAsync($"<message from='{JulietBalcony}' to='upload.montague.tld'><thread>{thread}</thread>{ConfirmXml()}</message>", Token);

        Assert.Equal(ConfirmationOutcome.Confirmed, await outcome.WaitAsync(SafetyTimeout, Token));
    }

    [Fact]
    public async Task NoAnswerWithinTheTimeout_IsNoAnswer_AndForgetsTheRequest()
    {
        await using var host = await ConfirmHost.StartAsync(Token);

        var outcome = host.Confirmer.ConfirmAsync(Request(Juliet), Token);
        var thread = ThreadOf(await host.Link!.ReadStanzaAsync(Token));
        host.Time.Advance(AnswerTimeout - TimeSpan.FromSeconds(1));
        Assert.False(outcome.IsCompleted);
        host.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(ConfirmationOutcome.NoAnswer, await outcome.WaitAsync(SafetyTimeout, Token));
        Assert.Equal(0, host.Pending.Count);

        // A late answer completes nothing and gets no reply.
        var late = Stanza.Parse($"<message from='{JulietBalcony}' to='upload.montague.tld'><thread>{thread}</thread>{ConfirmXml()}</message>");
        Assert.Null(await host.Dispatcher.RespondAsync(late, Token));
    }

    [Fact]
    public async Task Cancelled_Throws_AndForgetsTheRequest()
    {
        await using var host = await ConfirmHost.StartAsync(Token);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);

        var outcome = host.Confirmer.ConfirmAsync(Request(Juliet), cancel.Token);
        await host.Link!.ReadStanzaAsync(Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => outcome.WaitAsync(SafetyTimeout, Token));
        Assert.Equal(0, host.Pending.Count);
        Assert.Equal(0, host.Concrete.Outstanding);
    }

    [Fact]
    public async Task LinkDown_IsUnavailable_AndForgetsTheRequest()
    {
        await using var host = await ConfirmHost.StartAsync(Token, accept: false);

        var outcome = await host.Confirmer.ConfirmAsync(Request(Juliet), Token);

        Assert.Equal(ConfirmationOutcome.Unavailable, outcome);
        Assert.Equal(0, host.Pending.Count);
        Assert.Equal(0, host.Concrete.Outstanding);
    }

    [Fact]
    public async Task MessageAnswers_AreNeverAnswered()
    {
        await using var host = await ConfirmHost.StartAsync(Token);

        var outcome = host.Confirmer.ConfirmAsync(Request(Juliet), Token);
        var thread = ThreadOf(await host.Link!.ReadStanzaAsync(Token));
        var answer = Stanza.Parse(
            $"<message type='error' from='{JulietBalcony}' to='upload.montague.tld'><thread>{thread}</thread>{ConfirmXml()}<error type='auth'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");

        Assert.Null(await host.Dispatcher.RespondAsync(answer, Token));
        Assert.Equal(ConfirmationOutcome.Denied, await outcome.WaitAsync(SafetyTimeout, Token));
    }

    private static string ThreadOf(XElement message) => message.Element(ComponentNs + "thread")!.Value;
}
