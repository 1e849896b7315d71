using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using XmppUpload.Http.Tests.Support;

namespace XmppUpload.Http.Tests;

/// <summary>RFC 9110 sections 13 and 14 on stored files: single ranges, If-Range, and conditional GETs.</summary>
public sealed class RangeAndConditionalTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("bytes=0-", 0, 999)]
    [InlineData("bytes=0-0", 0, 0)]
    [InlineData("bytes=10-19", 10, 19)]
    [InlineData("bytes=990-", 990, 999)]
    [InlineData("bytes=990-5000", 990, 999)]
    [InlineData("bytes=-10", 990, 999)]
    [InlineData("bytes=-5000", 0, 999)]
    [InlineData("BYTES=5-6", 5, 6)]
    public async Task Get_WithSingleRange_Returns206WithThoseBytes(string range, int first, int last)
    {
        await using var server = await UploadServer.StartAsync();
        var body = RandomNumberGenerator.GetBytes(1000);
        var slot = await server.StoreAsync("a.bin", body);

        using var get = await server.GetAsync(slot.GetUrl, h => h.TryAddWithoutValidation("Range", range));

        Assert.Equal(HttpStatusCode.PartialContent, get.StatusCode);
        Assert.Equal($"bytes {first}-{last}/1000", get.Content.Headers.ContentRange?.ToString());
        Assert.Equal(last - first + 1, get.Content.Headers.ContentLength);
        Assert.Equal(body[first..(last + 1)], await get.Content.ReadAsByteArrayAsync(Token));
        Assert.Equal($"\"{slot.Slot.Id}\"", get.Headers.ETag?.ToString());
    }

    [Theory]
    [InlineData("bytes=1000-")]
    [InlineData("bytes=5000-6000")]
    [InlineData("bytes=-0")]
    public async Task Get_WithUnsatisfiableRange_Returns416WithTheLength(string range)
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.StoreAsync("a.bin", RandomNumberGenerator.GetBytes(1000));

        using var get = await server.GetAsync(slot.GetUrl, h => h.TryAddWithoutValidation("Range", range));

        await PutTests.AssertRefusedAsync(get, HttpStatusCode.RequestedRangeNotSatisfiable, "1000 bytes");
        Assert.Equal("bytes */1000", get.Content.Headers.ContentRange?.ToString());
    }

    [Theory]
    [InlineData("bytes=0-1,5-6")]
    [InlineData("bytes=5-2")]
    [InlineData("bytes=x-")]
    [InlineData("items=0-1")]
    public async Task Get_WithSeveralOrInvalidRanges_ReturnsTheWholeFile(string range)
    {
        await using var server = await UploadServer.StartAsync();
        var body = RandomNumberGenerator.GetBytes(1000);
        var slot = await server.StoreAsync("a.bin", body);

        using var get = await server.GetAsync(slot.GetUrl, h => h.TryAddWithoutValidation("Range", range));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Null(get.Content.Headers.ContentRange);
        Assert.Equal(body, await get.Content.ReadAsByteArrayAsync(Token));
    }

    [Fact]
    public async Task Get_WithIfRangeOfTheCurrentValidators_Returns206()
    {
        await using var server = await UploadServer.StartAsync();
        var storedAt = server.Clock.GetUtcNow();
        var slot = await server.StoreAsync("a.bin", RandomNumberGenerator.GetBytes(100));

        using var byTag = await server.GetAsync(slot.GetUrl, h =>
        {
            h.Range = new RangeHeaderValue(0, 9);
            h.IfRange = new RangeConditionHeaderValue($"\"{slot.Slot.Id}\"");
        });
        using var byDate = await server.GetAsync(slot.GetUrl, h =>
        {
            h.Range = new RangeHeaderValue(0, 9);
            h.IfRange = new RangeConditionHeaderValue(storedAt);
        });

        Assert.Equal(HttpStatusCode.PartialContent, byTag.StatusCode);
        Assert.Equal(HttpStatusCode.PartialContent, byDate.StatusCode);
    }

    [Theory]
    [InlineData("\"another\"")]
    [InlineData("W/\"{id}\"")]
    [InlineData("Thu, 01 Jan 2026 11:59:59 GMT")]
    public async Task Get_WithIfRangeOfOtherValidators_ReturnsTheWholeFile(string ifRange)
    {
        await using var server = await UploadServer.StartAsync();
        var body = RandomNumberGenerator.GetBytes(100);
        var slot = await server.StoreAsync("a.bin", body);

        using var get = await server.GetAsync(slot.GetUrl, h =>
        {
            h.Range = new RangeHeaderValue(0, 9);
            h.TryAddWithoutValidation("If-Range", ifRange.Replace("{id}", slot.Slot.Id, StringComparison.Ordinal));
        });

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(body, await get.Content.ReadAsByteArrayAsync(Token));
    }

    [Theory]
    [InlineData("\"{id}\"")]
    [InlineData("W/\"{id}\"")]
    [InlineData("\"other\", \"{id}\"")]
    [InlineData("*")]
    public async Task Get_WithMatchingIfNoneMatch_Returns304WithValidators(string ifNoneMatch)
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.StoreAsync("a.bin", RandomNumberGenerator.GetBytes(100));

        using var get = await server.GetAsync(slot.GetUrl, h =>
            h.TryAddWithoutValidation("If-None-Match", ifNoneMatch.Replace("{id}", slot.Slot.Id, StringComparison.Ordinal)));

        Assert.Equal(HttpStatusCode.NotModified, get.StatusCode);
        Assert.Equal($"\"{slot.Slot.Id}\"", get.Headers.ETag?.ToString());
        Assert.Equal("public, max-age=2592000, immutable", GetTests.Header(get, "Cache-Control"));
        Assert.Empty(await get.Content.ReadAsByteArrayAsync(Token));
    }

    [Fact]
    public async Task Get_WithOtherIfNoneMatch_ReturnsTheFileEvenIfNotModifiedSince()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.StoreAsync("a.bin", RandomNumberGenerator.GetBytes(100));

        // RFC 9110 section 13.1.3: If-Modified-Since is ignored when If-None-Match is present.
        using var get = await server.GetAsync(slot.GetUrl, h =>
        {
            h.TryAddWithoutValidation("If-None-Match", "\"other\"");
            h.IfModifiedSince = server.Clock.GetUtcNow().AddDays(1);
        });

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    [Fact]
    public async Task Get_IfModifiedSince_Returns304UnlessModifiedLater()
    {
        await using var server = await UploadServer.StartAsync();
        var storedAt = server.Clock.GetUtcNow();
        var slot = await server.StoreAsync("a.bin", RandomNumberGenerator.GetBytes(100));

        using var same = await server.GetAsync(slot.GetUrl, h => h.IfModifiedSince = storedAt);
        using var earlier = await server.GetAsync(slot.GetUrl, h => h.IfModifiedSince = storedAt.AddSeconds(-1));
        using var head = await server.SendAsync(HttpMethod.Head, slot.GetUrl, h => h.IfModifiedSince = storedAt);

        Assert.Equal(HttpStatusCode.NotModified, same.StatusCode);
        Assert.Equal(HttpStatusCode.OK, earlier.StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, head.StatusCode);
    }

    [Theory]
    [InlineData("\"other\"")]
    [InlineData("W/\"{id}\"")]
    public async Task Get_WithFailingIfMatch_Returns412(string ifMatch)
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.StoreAsync("a.bin", RandomNumberGenerator.GetBytes(100));

        using var get = await server.GetAsync(slot.GetUrl, h =>
            h.TryAddWithoutValidation("If-Match", ifMatch.Replace("{id}", slot.Slot.Id, StringComparison.Ordinal)));

        await PutTests.AssertRefusedAsync(get, HttpStatusCode.PreconditionFailed, "If-Match");
    }

    [Fact]
    public async Task Get_WithMatchingIfMatch_ReturnsTheFile()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.StoreAsync("a.bin", RandomNumberGenerator.GetBytes(100));

        using var byTag = await server.GetAsync(slot.GetUrl, h => h.TryAddWithoutValidation("If-Match", $"\"{slot.Slot.Id}\""));
        using var any = await server.GetAsync(slot.GetUrl, h => h.TryAddWithoutValidation("If-Match", "*"));

        Assert.Equal(HttpStatusCode.OK, byTag.StatusCode);
        Assert.Equal(HttpStatusCode.OK, any.StatusCode);
    }

    [Fact]
    public async Task Get_IfUnmodifiedSinceBeforeTheUpload_Returns412()
    {
        await using var server = await UploadServer.StartAsync();
        var storedAt = server.Clock.GetUtcNow();
        var slot = await server.StoreAsync("a.bin", RandomNumberGenerator.GetBytes(100));

        using var before = await server.GetAsync(slot.GetUrl, h => h.IfUnmodifiedSince = storedAt.AddSeconds(-1));
        using var same = await server.GetAsync(slot.GetUrl, h => h.IfUnmodifiedSince = storedAt);

        Assert.Equal(HttpStatusCode.PreconditionFailed, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
    }
}
