using XmppUpload.Core.Configuration;
using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Tests;

public sealed class SlotRequestReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private static SlotRequestParse Read(
        string? fileName = "très cool.jpg",
        string? size = "23456",
        string? contentType = "image/jpeg",
        string? purpose = null,
        string? expireBefore = null,
        UploadOptions? options = null) =>
        SlotRequestReader.Read(fileName, size, contentType, purpose, expireBefore, options ?? new UploadOptions(), Now);

    [Fact]
    public void Read_SpecExample_KeepsNameSizeAndTypeWithMessagePurpose()
    {
        // XEP-0363 section 5, example "Client requests a slot on the upload service".
        var parse = Read();

        Assert.Null(parse.Error);
        Assert.Equal(new SlotRequest("très cool.jpg", 23456, "image/jpeg", Purpose.Message, null), parse.Request);
    }

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("", "missing")]
    [InlineData("12a", "not a number")]
    [InlineData("-5", "not a number")]
    [InlineData("+5", "not a number")]
    [InlineData(" 5", "not a number")]
    [InlineData("1e3", "not a number")]
    [InlineData("99999999999999999999999", "not a number")]
    [InlineData("0", "greater than zero")]
    public void Read_WithBadSize_IsInvalidWithReason(string? size, string reason)
    {
        var parse = Read(size: size);

        Assert.Null(parse.Request);
        Assert.Contains(reason, parse.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Read_WithEmptyFileName_IsInvalid(string? name)
    {
        var parse = Read(fileName: name);

        Assert.Null(parse.Request);
        Assert.Contains("empty", parse.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WithoutContentType_LeavesTypeUnset()
    {
        var parse = Read(contentType: null);

        Assert.Null(parse.Request!.ContentType);
    }

    [Theory]
    [InlineData("jpeg")]
    [InlineData("image/jpeg\r\nX-Injected: 1")]
    [InlineData("a b/c")]
    public void Read_WithMalformedContentType_IsInvalid(string contentType)
    {
        var parse = Read(contentType: contentType);

        Assert.Null(parse.Request);
        Assert.Contains("content-type", parse.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("message", Purpose.Message)]
    [InlineData("profile", Purpose.Profile)]
    [InlineData("permanent", Purpose.Permanent)]
    public void Read_WithPurpose_TakesIt(string element, Purpose expected)
    {
        Assert.Equal(expected, Read(purpose: element).Request!.Purpose);
    }

    [Fact]
    public void Read_WithUnknownPurpose_IsInvalid()
    {
        var parse = Read(purpose: "forever");

        Assert.Contains("not known", parse.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WithDisabledPurpose_IsInvalid()
    {
        var options = new UploadOptions();
        options.Purposes["profile"] = new PurposeOptions { Enabled = false };

        var parse = Read(purpose: "profile", options: options);

        Assert.Null(parse.Request);
        Assert.Contains("not offered", parse.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Ephemeral_KeepsExpireBefore()
    {
        // XEP-0363 "Ephemeral": the attribute holds a XEP-0082 DateTime.
        var parse = Read(purpose: "ephemeral", expireBefore: "2026-03-02T10:00:00+02:00");

        Assert.Equal(Purpose.Ephemeral, parse.Request!.Purpose);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero), parse.Request.ExpireBefore);
    }

    [Theory]
    [InlineData(null, "needs an 'expire-before'")]
    [InlineData("tomorrow", "not a XEP-0082 DateTime")]
    [InlineData("2026-03-02T10:00:00", "not a XEP-0082 DateTime")]
    [InlineData("2026-03-01T09:59:59Z", "already passed")]
    [InlineData("2026-03-01T10:00:00Z", "already passed")]
    public void Read_EphemeralWithBadExpiry_IsInvalid(string? expireBefore, string reason)
    {
        var parse = Read(purpose: "ephemeral", expireBefore: expireBefore);

        Assert.Null(parse.Request);
        Assert.Contains(reason, parse.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EchoedValues_AreShortened()
    {
        var parse = Read(size: new string('x', 10_000));

        Assert.True(parse.Error!.Length < 200);
    }
}
