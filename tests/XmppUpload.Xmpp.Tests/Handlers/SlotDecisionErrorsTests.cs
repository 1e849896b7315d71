using System.Xml.Linq;
using XmppUpload.Core.Slots;
using XmppUpload.Xmpp.Handlers;
using XmppUpload.Xmpp.Tests.Support;

namespace XmppUpload.Xmpp.Tests.Handlers;

public sealed class SlotDecisionErrorsTests
{
    private static readonly XNamespace Upload = Stanza.Upload;

    [Theory]
    [InlineData(SlotRefusal.BadRequest, "bad-request", "modify")]
    [InlineData(SlotRefusal.Forbidden, "forbidden", "auth")]
    [InlineData(SlotRefusal.FileTooLarge, "not-acceptable", "modify")]
    [InlineData(SlotRefusal.Unavailable, "service-unavailable", "wait")]
    public void Refusal_MapsToItsConditionAndType(SlotRefusal refusal, string condition, string type)
    {
        var error = SlotDecisionErrors.ToStanzaError(SlotDecision.Refuse(refusal, "Because."));

        Assert.Equal((condition, type, "Because."), (error.Condition, error.Type, error.Text));
    }

    [Fact]
    public void Refusal_WithRetryAt_AddsRetryStampInUtc()
    {
        var retryAt = new DateTimeOffset(2017, 12, 4, 1, 42, 5, TimeSpan.FromHours(2));

        var error = SlotDecisionErrors.ToStanzaError(SlotDecision.Refuse(SlotRefusal.Unavailable, "Shutting down.", retryAt: retryAt)).ToElement();

        var retry = Assert.Single(error.Elements(Upload + "retry"));
        Assert.Equal("2017-12-03T23:42:05Z", (string?)retry.Attribute("stamp"));
        Assert.Equal("wait", (string?)error.Attribute("type"));
    }

    [Fact]
    public void Refusal_WithoutText_GetsAClearSentence()
    {
        var error = SlotDecisionErrors.ToStanzaError(SlotDecision.Refuse(SlotRefusal.Unavailable, " ")).ToElement();

        Assert.False(string.IsNullOrWhiteSpace(error.Element(Stanza.Stanzas + "text")?.Value));
    }
}
