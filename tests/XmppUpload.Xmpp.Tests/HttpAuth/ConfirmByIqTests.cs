using XmppUpload.Core.HttpAuth;
using static XmppUpload.Xmpp.Tests.HttpAuth.Confirmations;

namespace XmppUpload.Xmpp.Tests.HttpAuth;

/// <summary>XEP-0070 section 4.2 for a full JID: an IQ get, answered by a result (confirmed) or an error (denied).</summary>
public sealed class ConfirmByIqTests
{
    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(20);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FullJid_IsAskedByIqGet_AsXep0070Shows_AndAResultConfirms()
    {
        await using var host = await ConfirmHost.StartAsync(Token);

        var outcome = host.Confirmer.ConfirmAsync(Request(JulietBalcony), Token);
        var iq = await host.Link!.ReadStanzaAsync(Token);

        Assert.Equal(ComponentNs + "iq", iq.Name);
        Assert.Equal(("get", JulietBalcony, "upload.montague.tld"), ((string?)iq.Attribute("type"), (string?)iq.Attribute("to"), (string?)iq.Attribute("from")));
        Assert.False(string.IsNullOrEmpty((string?)iq.Attribute("id")));
        AssertConfirm(iq);
        await host.Link.SendAsync($"<iq type='result' id='{iq.Attribute("id")!.Value}' from='{JulietBalcony}' to='upload.montague.tld'/>", Token);

        Assert.Equal(ConfirmationOutcome.Confirmed, await outcome.WaitAsync(SafetyTimeout, Token));
        Assert.Equal(0, host.Concrete.Outstanding);
    }

    [Theory]
    [InlineData("<error type='auth'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>")]
    [InlineData("<error code='401' type='auth'><not-authorized xmlns='urn:ietf:params:xml:xmpp-stanzas'/></error>")]
    [InlineData("<error type='cancel'><feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>")]
    public async Task IqError_Denies(string error)
    {
        await using var host = await ConfirmHost.StartAsync(Token);

        var outcome = host.Confirmer.ConfirmAsync(Request(JulietBalcony), Token);
        var iq = await host.Link!.ReadStanzaAsync(Token);
        await host.Link.SendAsync($"<iq type='error' id='{iq.Attribute("id")!.Value}' from='{JulietBalcony}' to='upload.montague.tld'>{ConfirmXml()}{error}</iq>", Token);

        Assert.Equal(ConfirmationOutcome.Denied, await outcome.WaitAsync(SafetyTimeout, Token));
    }

    [Fact]
    public async Task IqResultFromAnotherJid_DoesNotConfirm()
    {
        await using var host = await ConfirmHost.StartAsync(Token);

        var outcome = host.Confirmer.ConfirmAsync(Request(JulietBalcony), Token);
        var iq = await host.Link!.ReadStanzaAsync(Token);
        var id = iq.Attribute("id")!.Value;
        await host.Link.SendAsync($"<iq type='result' id='{id}' from='juliet@capulet.com/other' to='upload.montague.tld'/>", Token);
        await host.Logs.WaitForAsync("IqResponseUnmatched");
        Assert.False(outcome.IsCompleted);
        await host.Link.SendAsync($"<iq type='error' id='{id}' from='{JulietBalcony}' to='upload.montague.tld'><error type='auth'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>", Token);

        Assert.Equal(ConfirmationOutcome.Denied, await outcome.WaitAsync(SafetyTimeout, Token));
    }

    [Fact]
    public async Task NoIqAnswerWithinTheTimeout_IsNoAnswer()
    {
        await using var host = await ConfirmHost.StartAsync(Token);

        var outcome = host.Confirmer.ConfirmAsync(Request(JulietBalcony), Token);
        await host.Link!.ReadStanzaAsync(Token);
        host.Time.Advance(AnswerTimeout - TimeSpan.FromSeconds(1));
        Assert.False(outcome.IsCompleted);
        host.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(ConfirmationOutcome.NoAnswer, await outcome.WaitAsync(SafetyTimeout, Token));
        Assert.Equal(0, host.Concrete.Outstanding);
    }

    [Fact]
    public async Task LinkDown_IsUnavailable()
    {
        await using var host = await ConfirmHost.StartAsync(Token, accept: false);

        var outcome = await host.Confirmer.ConfirmAsync(Request(JulietBalcony), Token);

        Assert.Equal(ConfirmationOutcome.Unavailable, outcome);
        Assert.Equal(0, host.Concrete.Outstanding);
    }
}
