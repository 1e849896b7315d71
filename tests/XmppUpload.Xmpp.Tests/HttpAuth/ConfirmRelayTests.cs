using Microsoft.Extensions.DependencyInjection;
using XmppUpload.Core.Cluster;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Core.Ports;
using XmppUpload.Xmpp.Component;
using XmppUpload.Xmpp.Tests.Support;
using static XmppUpload.Xmpp.Tests.HttpAuth.Confirmations;

namespace XmppUpload.Xmpp.Tests.HttpAuth;

/// <summary>
/// XEP-0070 across two nodes on one bus: the node on standby forwards its confirmation, the node that holds the link
/// asks the user exactly as it asks for itself (IQ to a full JID, message to a bare JID) and sends the outcome back.
/// </summary>
public sealed class ConfirmRelayTests
{
    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan RelayTimeout = TimeSpan.FromSeconds(2);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StandbyNode_FullJid_TheHolderAsksByIq_AndItsResultConfirms()
    {
        var bus = new InProcessNodeBus();
        await using var holder = await ConfirmHost.StartAsync(Token, before: s => s.AddSingleton<INodeBus>(bus));
        await using var standby = await StandbyAsync(bus, holder);

        var outcome = standby.Confirmer.ConfirmAsync(Request(JulietBalcony), Token);
        var iq = await holder.Link!.ReadStanzaAsync(Token);

        Assert.Equal(("get", JulietBalcony, "upload.montague.tld"), ((string?)iq.Attribute("type"), (string?)iq.Attribute("to"), (string?)iq.Attribute("from")));
        AssertConfirm(iq);
        await holder.Link.SendAsync($"<iq type='result' id='{iq.Attribute("id")!.Value}' from='{JulietBalcony}' to='upload.montague.tld'/>", Token);
        Assert.Equal(ConfirmationOutcome.Confirmed, await outcome.WaitAsync(SafetyTimeout, Token));

        await standby.Logs.WaitForAsync("ConfirmationForwarded");
        await holder.Logs.WaitForAsync("ConfirmationServed");
        Assert.Equal(0, standby.Concrete.Outstanding);
        Assert.Equal(0, standby.Services.GetRequiredService<XmppUpload.Xmpp.HttpAuth.RelayedConfirmations>().Count);
        // The transaction identifier is a password: it crossed the bus, but no log line of either node shows it.
        Assert.DoesNotContain(standby.Logs.Entries.Concat(holder.Logs.Entries), e => e.Message.Contains(TransactionId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task StandbyNode_BareJid_TheHolderAsksByMessage_AndAnErrorFromTheUserDenies()
    {
        var bus = new InProcessNodeBus();
        await using var holder = await ConfirmHost.StartAsync(Token, before: s => s.AddSingleton<INodeBus>(bus));
        await using var standby = await StandbyAsync(bus, holder);

        var outcome = standby.Confirmer.ConfirmAsync(Request(Juliet, method: "PUT"), Token);
        var message = await holder.Link!.ReadStanzaAsync(Token);

        Assert.Equal((ComponentNs + "message", Juliet), (message.Name, (string?)message.Attribute("to")));
        AssertConfirm(message, method: "PUT");
        var thread = message.Element(ComponentNs + "thread")!.Value;
        await holder.Link.SendAsync(
            $"<message type='error' from='juliet@capulet.com/phone' to='upload.montague.tld'><thread>{thread}</thread>{ConfirmXml().Replace("GET", "PUT", StringComparison.Ordinal)}<error type='auth'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>",
            Token);

        Assert.Equal(ConfirmationOutcome.Denied, await outcome.WaitAsync(SafetyTimeout, Token));
    }

    [Fact]
    public async Task NoNodeHoldsThisLink_TheForwardedConfirmation_IsUnavailableAfterTheRelayTimeout()
    {
        var bus = new InProcessNodeBus();
        // A node connected for another XMPP server listens on the same bus, but does not take this link's requests up.
        await using var other = await ConfirmHost.StartAsync(Token, before: s => s.AddSingleton<INodeBus>(bus));
        await using var standby = await StandbyAsync(bus, holder: null);

        var outcome = standby.Confirmer.ConfirmAsync(Request(JulietBalcony), Token);
        await standby.Logs.WaitForAsync("ConfirmationForwarded");
        standby.Time.Advance(RelayTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(outcome.IsCompleted);
        standby.Time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(ConfirmationOutcome.Unavailable, await outcome.WaitAsync(SafetyTimeout, Token));
        var log = await standby.Logs.WaitForAsync("ConfirmationNotTaken");
        Assert.Equal(2.0, log.Value("Seconds"));
        Assert.Equal(0, other.Logs.Count("ConfirmationServed"));
    }

    [Fact]
    public async Task TheUserNeverAnswers_TheStandbyNodesOwnTimeoutEndsTheWait_WithNoAnswer()
    {
        var bus = new InProcessNodeBus();
        await using var holder = await ConfirmHost.StartAsync(Token, before: s => s.AddSingleton<INodeBus>(bus));
        await using var standby = await StandbyAsync(bus, holder);

        var outcome = standby.Confirmer.ConfirmAsync(Request(JulietBalcony), Token);
        await holder.Link!.ReadStanzaAsync(Token);

        // The holder took it up (it asked), so only the request's own timeout, on the standby node's clock, ends it.
        standby.Time.Advance(AnswerTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(outcome.IsCompleted);
        standby.Time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(ConfirmationOutcome.NoAnswer, await outcome.WaitAsync(SafetyTimeout, Token));
    }

    [Fact]
    public async Task RequestTooLargeForOneBusMessage_IsUnavailableAtOnce_AndNothingIsSent()
    {
        var bus = new InProcessNodeBus();
        var sent = 0;
        await using var subscription = await bus.SubscribeAsync("xmppupload_http_auth", _ => Interlocked.Increment(ref sent), Token);
        await using var standby = await StandbyAsync(bus, holder: null);
        var longUrl = new Uri(Url + "?" + new string('q', 7990));

        var outcome = await standby.Confirmer.ConfirmAsync(new ConfirmationRequest(XmppUpload.Core.Addressing.Jid.Parse(JulietBalcony), TransactionId, "GET", longUrl, AnswerTimeout), Token);

        Assert.Equal(ConfirmationOutcome.Unavailable, outcome);
        Assert.Contains("does not fit", (await standby.Logs.WaitForAsync("ConfirmationNotForwarded")).Message, StringComparison.Ordinal);
        Assert.Equal(0, sent);
    }

    // A node whose lease store says another node holds the link: on standby, never connected.
    private static async Task<ConfirmHost> StandbyAsync(InProcessNodeBus bus, ConfirmHost? holder)
    {
        var host = await ConfirmHost.StartAsync(
            Token,
            accept: false,
            before: services => services
                .AddSingleton<INodeBus>(bus)
                .AddSingleton<ILinkLeaseProvider>(new FakeLinkLeases { Holder = "node-a" }),
            settings: holder is null ? null : new() { ["Xmpp:Server"] = holder.ServerAddress });
        await host.Logs.WaitForAsync("Standby");
        Assert.Equal(ComponentLinkState.Standby, host.Services.GetRequiredService<IComponentConnection>().State);
        return host;
    }
}
