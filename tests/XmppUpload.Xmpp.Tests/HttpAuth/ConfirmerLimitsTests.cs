using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Xmpp.HttpAuth;
using static XmppUpload.Xmpp.Tests.HttpAuth.Confirmations;

namespace XmppUpload.Xmpp.Tests.HttpAuth;

/// <summary>What keeps the confirmer safe: a bound on waiting confirmations, refused input, and logs without credentials.</summary>
public sealed class ConfirmerLimitsTests
{
    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(20);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BeyondTheBound_IsUnavailableAtOnce_AndTheBoundFreesWhenAnswered()
    {
        await using var host = await ConfirmHost.StartAsync(Token, configure: s => s.Configure<XmppHttpAuthOptions>(o => o.MaxPendingConfirmations = 2));

        var first = host.Confirmer.ConfirmAsync(Request(Juliet, "t1"), Token);
        var second = host.Confirmer.ConfirmAsync(Request(JulietBalcony, "t2"), Token);
        var firstSent = await host.Link!.ReadStanzaAsync(Token);
        var secondSent = await host.Link.ReadStanzaAsync(Token);

        Assert.Equal(ConfirmationOutcome.Unavailable, await host.Confirmer.ConfirmAsync(Request(Juliet, "t3"), Token));
        Assert.Equal(1, host.Logs.Count("ConfirmationsFull"));
        Assert.False(first.IsCompleted || second.IsCompleted);

        var message = firstSent.Name.LocalName == "message" ? firstSent : secondSent;
        var iq = firstSent.Name.LocalName == "iq" ? firstSent : secondSent;
        await host.Link.SendAsync($"<message from='{JulietBalcony}' to='upload.montague.tld'><thread>{message.Element(ComponentNs + "thread")!.Value}</thread>{ConfirmXml("t1")}</message>", Token);
        await host.Link.SendAsync($"<iq type='result' id='{iq.Attribute("id")!.Value}' from='{JulietBalcony}' to='upload.montague.tld'/>", Token);
        Assert.Equal(ConfirmationOutcome.Confirmed, await first.WaitAsync(SafetyTimeout, Token));
        Assert.Equal(ConfirmationOutcome.Confirmed, await second.WaitAsync(SafetyTimeout, Token));

        var third = host.Confirmer.ConfirmAsync(Request(Juliet, "t4"), Token);
        var thirdSent = await host.Link.ReadStanzaAsync(Token);
        AssertConfirm(thirdSent, "t4");
        host.Time.Advance(AnswerTimeout);
        Assert.Equal(ConfirmationOutcome.NoAnswer, await third.WaitAsync(SafetyTimeout, Token));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad\u0001id")]
    public async Task TransactionIdThatCannotBeSent_IsDeniedWithoutAsking(string transactionId)
    {
        // No link: had the confirmer tried to send, the outcome would be Unavailable.
        await using var host = await ConfirmHost.StartAsync(Token, accept: false);

        Assert.Equal(ConfirmationOutcome.Denied, await host.Confirmer.ConfirmAsync(Request(Juliet, transactionId), Token));
        Assert.Equal(ConfirmationOutcome.Denied, await host.Confirmer.ConfirmAsync(Request(Juliet, new string('x', 1025)), Token));
        Assert.Equal(ConfirmationOutcome.Denied, await host.Confirmer.ConfirmAsync(Request(Juliet, method: "GE T"), Token));
    }

    [Fact]
    public async Task Logs_NeverShowTheTransactionId()
    {
        const string Secret = "s3cr3t-transaction-identifier";
        await using var host = await ConfirmHost.StartAsync(Token);

        var byMessage = host.Confirmer.ConfirmAsync(Request(Juliet, Secret), Token);
        var message = await host.Link!.ReadStanzaAsync(Token);
        await host.Link.SendAsync($"<message from='{JulietBalcony}' to='upload.montague.tld'><thread>{message.Element(ComponentNs + "thread")!.Value}</thread>{ConfirmXml(Secret)}</message>", Token);
        await byMessage.WaitAsync(SafetyTimeout, Token);
        var byIq = host.Confirmer.ConfirmAsync(Request(JulietBalcony, Secret), Token);
        await host.Link.ReadStanzaAsync(Token);
        host.Time.Advance(AnswerTimeout);
        await byIq.WaitAsync(SafetyTimeout, Token);

        var entries = host.Logs.Entries;
        Assert.Contains(entries, e => e.EventId.Name == "ConfirmationEnded");
        Assert.DoesNotContain(entries, e => e.Message.Contains(Secret[..8], StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Values.Any(v => v.Value is string text && text.Contains(Secret[..8], StringComparison.Ordinal)));
    }

    [Fact]
    public async Task MaxPendingConfirmationsBelowOne_FailsValidation()
    {
        await using var host = ConfirmHost.Build(s => s.Configure<XmppHttpAuthOptions>(o => o.MaxPendingConfirmations = 0));

        var failure = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<XmppHttpAuthOptions>>().Value);
        Assert.Contains("MaxPendingConfirmations", failure.Message, StringComparison.Ordinal);
    }
}
