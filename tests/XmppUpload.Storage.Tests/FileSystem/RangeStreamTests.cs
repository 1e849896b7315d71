using XmppUpload.Storage.FileSystem;

namespace XmppUpload.Storage.Tests.FileSystem;

public sealed class RangeStreamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Read_InnerEndsBeforeTheRange_EndsThereToo()
    {
        // A blob truncated on disk: the stream ends short, and the caller, who counts, sees fewer bytes than promised.
        await using var stream = new RangeStream(new MemoryStream("12345"u8.ToArray()), 10);
        var buffer = new byte[16];

        Assert.Equal(5, await stream.ReadAsync(buffer, Ct));
        Assert.Equal(0, await stream.ReadAsync(buffer, Ct));
    }

    [Fact]
    public async Task Read_InnerLongerThanTheRange_StopsAtTheRange()
    {
        await using var stream = new RangeStream(new MemoryStream("0123456789"u8.ToArray()), 4);
        var buffer = new byte[16];

        Assert.Equal(4, await stream.ReadAsync(buffer, Ct));
        Assert.Equal(0, await stream.ReadAsync(buffer, Ct));
        Assert.Equal("0123"u8.ToArray(), buffer[..4]);
    }

    [Fact]
    public async Task Dispose_DisposesTheInnerStream()
    {
        var inner = new MemoryStream("12345"u8.ToArray());

        await new RangeStream(inner, 2).DisposeAsync();

        Assert.False(inner.CanRead);
    }
}
