using System.Xml.Linq;
using XmppUpload.Core.Slots;
using XmppUpload.Core.Tokens;
using XmppUpload.Xmpp.Tests.Support;

namespace XmppUpload.Xmpp.Tests.Handlers;

public sealed class SlotRequestTests
{
    private static readonly XNamespace Upload = Stanza.Upload;

    private readonly UploadService _service = new();

    private static XElement Request(string attributes, string purpose = "", string type = "get", string from = Stanza.Romeo) =>
        Stanza.Iq($"<request xmlns='urn:xmpp:http:upload:0' {attributes}>{purpose}</request>", type: type, from: from);

    private ValueTask<XElement?> Respond(XElement request) => _service.Dispatcher.RespondAsync(request, TestContext.Current.CancellationToken);

    [Fact]
    public async Task SlotRequest_FromServedDomain_GetsPutUrlWithAuthorizationHeaderAndGetUrl()
    {
        var request = Request("filename='très cool.jpg' size='23456' content-type='image/jpeg'");
        _service.Upload.MaxFileSize = 100_000;

        var response = Stanza.AssertResult(await Respond(request), request);

        var slot = Assert.Single(response.Elements(Upload + "slot"));
        var put = Assert.Single(slot.Elements(Upload + "put"));
        var get = Assert.Single(slot.Elements(Upload + "get"));
        var stored = Assert.Single(_service.Ledger.Slots.Values);
        Assert.Equal("romeo@montague.tld", stored.Owner);
        Assert.Equal(23456, stored.Size);
        Assert.Equal("image/jpeg", stored.ContentType);
        Assert.Equal($"https://upload.montague.tld/files/{stored.Id}/tr%C3%A8s%20cool.jpg", (string?)put.Attribute("url"));
        Assert.Equal((string?)put.Attribute("url"), (string?)get.Attribute("url"));
        var header = Assert.Single(put.Elements(Upload + "header"));
        Assert.Equal("Authorization", (string?)header.Attribute("name"));
        Assert.Equal(TokenCheck.Valid, _service.Tokens.Check(header.Value, stored.Id, stored.FileName, _service.Time.GetUtcNow(), out _));
    }

    [Fact]
    public async Task SlotRequest_WithNonNumericSize_GetsBadRequestWithText()
    {
        var request = Request("filename='a.jpg' size='big'");

        var error = Stanza.AssertError(await Respond(request), request, "bad-request", "modify");

        Assert.Contains("size", Stanza.Text(error), StringComparison.Ordinal);
        Assert.Empty(_service.Ledger.Slots);
    }

    [Fact]
    public async Task SlotRequest_Refused_EchoesTheRequestBeforeTheError()
    {
        var request = Request("filename='a.jpg' size='-1'");

        var response = await Respond(request);

        // XEP-0363 section 6 examples: the request child, then the error.
        Assert.NotNull(response);
        var children = response.Elements().ToList();
        Assert.Equal(2, children.Count);
        Assert.True(XNode.DeepEquals(request.Element(Upload + "request"), children[0]));
        Assert.Equal(Stanza.Component + "error", children[1].Name);
    }

    [Theory]
    [InlineData("size='10'")]
    [InlineData("filename='' size='10'")]
    [InlineData("filename='a.jpg'")]
    [InlineData("filename='a.jpg' size='0'")]
    [InlineData("filename='a.jpg' size='10' content-type='not a type'")]
    public async Task SlotRequest_WithMissingOrInvalidAttribute_GetsBadRequest(string attributes)
    {
        var request = Request(attributes);

        Stanza.AssertError(await Respond(request), request, "bad-request", "modify");
    }

    [Fact]
    public async Task SlotRequest_WithProfilePurpose_IsHeldToTheProfileLimit()
    {
        var request = Request("filename='avatar.jpg' size='150'", "<profile xmlns='urn:xmpp:http:upload:purpose:0'/>");

        var error = Stanza.AssertError(await Respond(request), request, "not-acceptable", "modify");

        Assert.Equal("100", error.Element(Upload + "file-too-large")?.Element(Upload + "max-file-size")?.Value);
    }

    [Fact]
    public async Task SlotRequest_WithEphemeralPurpose_ExpiresTheSlotAtExpireBefore()
    {
        var request = Request(
            "filename='story.jpg' size='100'",
            "<ephemeral xmlns='urn:xmpp:http:upload:purpose:0' expire-before='2026-03-02T10:00:00Z'/>");

        Stanza.AssertResult(await Respond(request), request);

        var slot = Assert.Single(_service.Ledger.Slots.Values);
        Assert.Equal(Purpose.Ephemeral, slot.Purpose);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero), slot.ExpiresAt);
    }

    [Theory]
    [InlineData("<ephemeral xmlns='urn:xmpp:http:upload:purpose:0'/>")]
    [InlineData("<ephemeral xmlns='urn:xmpp:http:upload:purpose:0' expire-before='tomorrow'/>")]
    [InlineData("<ephemeral xmlns='urn:xmpp:http:upload:purpose:0' expire-before='2026-03-01T09:00:00Z'/>")]
    public async Task SlotRequest_WithEphemeralPurposeWithoutValidExpireBefore_GetsBadRequest(string purpose)
    {
        var request = Request("filename='story.jpg' size='100'", purpose);

        Stanza.AssertError(await Respond(request), request, "bad-request", "modify");
    }

    [Fact]
    public async Task SlotRequest_WithTwoPurposes_GetsBadRequest()
    {
        var request = Request(
            "filename='a.jpg' size='10'",
            "<message xmlns='urn:xmpp:http:upload:purpose:0'/><profile xmlns='urn:xmpp:http:upload:purpose:0'/>");

        var error = Stanza.AssertError(await Respond(request), request, "bad-request", "modify");

        Assert.Contains("one purpose", Stanza.Text(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlotRequest_WithUnknownPurpose_GetsBadRequest()
    {
        var request = Request("filename='a.jpg' size='10'", "<holiday xmlns='urn:xmpp:http:upload:purpose:0'/>");

        var error = Stanza.AssertError(await Respond(request), request, "bad-request", "modify");

        Assert.Contains("holiday", Stanza.Text(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlotRequest_WithDisabledPurpose_GetsBadRequest()
    {
        _service.Upload.Purposes["permanent"] = new() { Enabled = false };
        var request = Request("filename='a.jpg' size='10'", "<permanent xmlns='urn:xmpp:http:upload:purpose:0'/>");

        Stanza.AssertError(await Respond(request), request, "bad-request", "modify");
    }

    [Fact]
    public async Task SlotRequest_WithChildInAnotherNamespace_IgnoresIt()
    {
        var request = Request("filename='a.jpg' size='10'", "<extra xmlns='urn:example:future'/>");

        Stanza.AssertResult(await Respond(request), request);
    }

    [Fact]
    public async Task SlotRequest_FromUnservedDomain_GetsForbiddenOfTypeAuth()
    {
        var request = Request("filename='a.jpg' size='10'", from: "juliet@capulet.tld/balcony");

        Stanza.AssertError(await Respond(request), request, "forbidden", "auth");

        Assert.Empty(_service.Ledger.Slots);
    }

    [Fact]
    public async Task SlotRequest_OverMaxFileSize_GetsNotAcceptableWithFileTooLarge()
    {
        var request = Request("filename='a.jpg' size='1001'");

        var error = Stanza.AssertError(await Respond(request), request, "not-acceptable", "modify");

        // RFC 6120 section 8.3.2 order: condition, text, then the application-specific element.
        var elements = error.Elements().Select(e => e.Name.LocalName).ToList();
        Assert.Equal(["not-acceptable", "text", "file-too-large"], elements);
        Assert.Equal("1000", error.Element(Upload + "file-too-large")?.Element(Upload + "max-file-size")?.Value);
    }

    [Fact]
    public async Task SlotRequest_OfTypeSet_GetsBadRequestSayingItMustBeGet()
    {
        var request = Request("filename='a.jpg' size='10'", type: "set");

        var error = Stanza.AssertError(await Respond(request), request, "bad-request", "modify");

        Assert.Contains("'get'", Stanza.Text(error), StringComparison.Ordinal);
        Assert.Empty(_service.Ledger.Slots);
    }

    [Fact]
    public async Task SlotRequest_WithMalformedSender_GetsJidMalformed()
    {
        var request = Request("filename='a.jpg' size='10'", from: "@montague.tld");

        Stanza.AssertError(await Respond(request), request, "jid-malformed", "modify");
    }

    [Fact]
    public async Task SlotRequest_WhenTheLedgerFails_GetsInternalServerErrorOfTypeCancel()
    {
        _service.Ledger.Failure = new InvalidOperationException("database is gone");
        var request = Request("filename='a.jpg' size='10'");

        var error = Stanza.AssertError(await Respond(request), request, "internal-server-error", "cancel");

        Assert.DoesNotContain("database", Stanza.Text(error), StringComparison.Ordinal);
    }
}
