using Microsoft.Extensions.Primitives;
using XmppUpload.Http.Upload;

namespace XmppUpload.Http.Tests;

/// <summary>The pure parts of the GET and PUT rules: Content-Disposition, media types and byte ranges.</summary>
public sealed class HeaderBuildingTests
{
    [Theory]
    [InlineData("a.txt", false, "attachment; filename=\"a.txt\"; filename*=UTF-8''a.txt")]
    [InlineData("très cool.jpg", true, "inline; filename=\"tr_s cool.jpg\"; filename*=UTF-8''tr%C3%A8s%20cool.jpg")]
    [InlineData("a\"b\\c%d;e'f.txt", false, "attachment; filename=\"a_b_c_d_e_f.txt\"; filename*=UTF-8''a%22b%5Cc%25d%3Be%27f.txt")]
    [InlineData("日本.png", true, "inline; filename=\"__.png\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.png")]
    [InlineData("😀.gif", true, "inline; filename=\"__.gif\"; filename*=UTF-8''%F0%9F%98%80.gif")]
    public void ContentDisposition_EncodesTheNameForRfc6266(string name, bool inline, string expected)
    {
        Assert.Equal(expected, ContentDispositions.For(name, inline));
    }

    [Theory]
    [InlineData("image/jpeg", "image/jpeg", true)]
    [InlineData("image/jpeg", "IMAGE/JPEG", true)]
    [InlineData("text/plain; charset=utf-8", "text/plain", true)]
    [InlineData("text/plain", "text/plain; charset=utf-8", true)]
    [InlineData("image/jpeg", "image/png", false)]
    [InlineData("image/jpeg", "image/*", false)]
    [InlineData("image/jpeg", "", false)]
    [InlineData("image/jpeg", null, false)]
    [InlineData("image/jpeg", "garbage", false)]
    public void SameMediaType_ComparesTypeAndSubtypeOnly(string expected, string? actual, bool same)
    {
        Assert.Equal(same, MediaTypes.SameMediaType(expected, actual));
    }

    [Theory]
    [InlineData("image/png", true)]
    [InlineData("IMAGE/JPEG", true)]
    [InlineData("audio/mpeg", true)]
    [InlineData("video/webm; codecs=vp9", true)]
    [InlineData("image/svg+xml", false)]
    [InlineData("text/html", false)]
    [InlineData("text/plain", false)]
    [InlineData("application/octet-stream", false)]
    [InlineData("image/x-unknown", false)]
    public void IsSafeInline_AllowsOnlyMediaThatRunsNothing(string type, bool inline)
    {
        Assert.Equal(inline, MediaTypes.IsSafeInline(type));
    }

    [Theory]
    [InlineData(null, "application/octet-stream")]
    [InlineData("image/png", "image/png")]
    [InlineData("nonsense", "application/octet-stream")]
    public void Served_FallsBackToOctetStream(string? slotType, string served)
    {
        Assert.Equal(served, MediaTypes.Served(slotType));
    }

    [Theory]
    [InlineData("bytes=0-", 100, nameof(RangeOutcome.Partial), 0, 100)]
    [InlineData("bytes=-10", 100, nameof(RangeOutcome.Partial), 90, 10)]
    [InlineData("bytes=-1000", 100, nameof(RangeOutcome.Partial), 0, 100)]
    [InlineData("bytes=99-99", 100, nameof(RangeOutcome.Partial), 99, 1)]
    [InlineData("bytes=50-1000", 100, nameof(RangeOutcome.Partial), 50, 50)]
    [InlineData("bytes=100-", 100, nameof(RangeOutcome.Unsatisfiable), 0, 0)]
    [InlineData("bytes=-0", 100, nameof(RangeOutcome.Unsatisfiable), 0, 0)]
    [InlineData("bytes=0-1,3-4", 100, nameof(RangeOutcome.Full), 0, 0)]
    [InlineData("bytes=3-1", 100, nameof(RangeOutcome.Full), 0, 0)]
    [InlineData("lines=0-1", 100, nameof(RangeOutcome.Full), 0, 0)]
    [InlineData("bytes=0-", 0, nameof(RangeOutcome.Full), 0, 0)]
    [InlineData("bytes=-5", 0, nameof(RangeOutcome.Full), 0, 0)]
    public void Resolve_AppliesRfc9110Section14(string header, long length, string outcome, long offset, long count)
    {
        var result = ByteRange.Resolve(new StringValues(header), length, out var range);

        Assert.Equal(outcome, result.ToString());
        Assert.Equal(new ByteRange(offset, count), range);
    }

    [Fact]
    public void Resolve_WithTwoRangeHeaders_ServesTheWholeFile()
    {
        Assert.Equal(RangeOutcome.Full, ByteRange.Resolve(new StringValues(["bytes=0-1", "bytes=2-3"]), 100, out _));
    }
}
