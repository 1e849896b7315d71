using XmppUpload.Core.Tokens;
using XmppUpload.Testing;

namespace XmppUpload.Core.Tests;

public sealed class SlotTokensTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Deadline = Now.AddSeconds(300);
    private static readonly SigningKey KeyA = new("a1", Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), Now);
    private static readonly SigningKey KeyB = new("b2", Enumerable.Range(100, 32).Select(i => (byte)i).ToArray(), Now);

    private readonly SlotTokens _tokens = new(() => [KeyA], new FakeTimeProvider(Now));

    private string Issue(string name = "très cool.jpg", long size = 23456, string? type = "image/jpeg") =>
        _tokens.Issue("slotid", name, size, type, Deadline);

    [Fact]
    public void Issued_ChecksValidForItsSlotAndCarriesWhatItGrants()
    {
        var header = Issue();

        Assert.StartsWith("Bearer v1.a1.", header, StringComparison.Ordinal);
        Assert.Equal(TokenCheck.Valid, _tokens.Check(header, "slotid", "très cool.jpg", Now, out var token));
        Assert.Equal(new PutToken("a1", Deadline, 23456, "image/jpeg"), token);
    }

    [Fact]
    public void Issued_WithoutContentType_CarriesNone()
    {
        var header = Issue(type: null);

        Assert.Equal(TokenCheck.Valid, _tokens.Check(header, "slotid", "très cool.jpg", Now, out var token));
        Assert.Null(token.ContentType);
    }

    [Fact]
    public void Check_AtDeadline_IsExpired()
    {
        Assert.Equal(TokenCheck.Expired, _tokens.Check(Issue(), "slotid", "très cool.jpg", Deadline, out _));
    }

    [Fact]
    public void Check_ForAnotherSlotOrName_IsInvalid()
    {
        var header = Issue();

        Assert.Equal(TokenCheck.Invalid, _tokens.Check(header, "otherslot", "très cool.jpg", Now, out _));
        Assert.Equal(TokenCheck.Invalid, _tokens.Check(header, "slotid", "tres cool.jpg", Now, out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer")]
    [InlineData("Bearer v1.a1.x.1.AA.AA")]
    [InlineData("Bearer v2.a1.1.1..AA")]
    [InlineData("Bearer v1.a1.1.1.!!.AA")]
    public void Check_Malformed_IsInvalid(string? header)
    {
        Assert.Equal(TokenCheck.Invalid, _tokens.Check(header, "slotid", "a", Now, out _));
    }

    [Theory]
    [InlineData(3, "99999")] // raised size
    [InlineData(2, "9999999999")] // extended deadline
    [InlineData(4, "dGV4dC9odG1s")] // content type changed to text/html
    [InlineData(1, "b2")] // another key id
    public void Check_WithAnyFieldTampered_IsInvalid(int field, string value)
    {
        var parts = Issue()["Bearer ".Length..].Split('.');
        parts[field] = value;
        var tampered = "Bearer " + string.Join('.', parts);

        Assert.Equal(TokenCheck.Invalid, new SlotTokens(() => [KeyA, KeyB], new FakeTimeProvider(Now)).Check(tampered, "slotid", "très cool.jpg", Now, out _));
    }

    [Fact]
    public void Check_AfterRotation_AcceptsOldKeyAndSignsWithNewest()
    {
        var old = Issue();
        var rotated = new SlotTokens(() => [KeyB, KeyA], new FakeTimeProvider(Now));

        Assert.Equal(TokenCheck.Valid, rotated.Check(old, "slotid", "très cool.jpg", Now, out _));
        Assert.StartsWith("Bearer v1.b2.", rotated.Issue("s", "n", 1, null, Deadline), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_WithKeyNoLongerKept_IsInvalid()
    {
        var old = Issue();

        Assert.Equal(TokenCheck.Invalid, new SlotTokens(() => [KeyB], new FakeTimeProvider(Now)).Check(old, "slotid", "très cool.jpg", Now, out _));
    }
}
