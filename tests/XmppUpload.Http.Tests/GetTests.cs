using System.Net;
using System.Security.Cryptography;
using XmppUpload.Core.Slots;
using XmppUpload.Http.Tests.Support;
using XmppUpload.Testing;

namespace XmppUpload.Http.Tests;

/// <summary>GET and HEAD of stored files: what is served, with which headers, and what is not served.</summary>
public sealed class GetTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_StoredFile_HasRepresentationCachingAndSecurityHeaders()
    {
        await using var server = await UploadServer.StartAsync();
        var storedAt = server.Clock.GetUtcNow();
        var slot = await server.StoreAsync("photo.png", RandomNumberGenerator.GetBytes(1000), "image/png");

        using var get = await server.GetAsync(slot.GetUrl);

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("image/png", get.Content.Headers.ContentType?.ToString());
        Assert.Equal(1000, get.Content.Headers.ContentLength);
        Assert.Equal($"\"{slot.Slot.Id}\"", get.Headers.ETag?.ToString());
        Assert.False(get.Headers.ETag!.IsWeak);
        Assert.Equal(storedAt, get.Content.Headers.LastModified);
        Assert.Equal("bytes", Assert.Single(get.Headers.AcceptRanges));
        // A message file is kept 30 days by default; caches may keep it exactly as long.
        Assert.Equal("public, max-age=2592000, immutable", Header(get, "Cache-Control"));
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", Header(get, "Content-Security-Policy"));
        Assert.Equal("nosniff", Header(get, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(get, "Referrer-Policy"));
    }

    [Fact]
    public async Task Get_LedgerUnreachable_Is503WithAReasonAndRetryAfter_AndServesAgainOnceItAnswers()
    {
        await using var server = await UploadServer.StartAsync();
        var bytes = RandomNumberGenerator.GetBytes(1000);
        var slot = await server.StoreAsync("photo.png", bytes, "image/png");
        server.Ledger.FailFinds = true;

        using (var get = await server.GetAsync(slot.GetUrl))
        {
            // Whether the file exists is unknown: not a 404 (the client would give up), not a bare 500.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, get.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), get.Headers.RetryAfter?.Delta);
            Assert.Contains("cannot reach its ledger", await get.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        }

        server.Ledger.FailFinds = false;
        using var again = await server.GetAsync(slot.GetUrl);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(bytes, await again.Content.ReadAsByteArrayAsync(Token));
    }

    [Fact]
    public async Task Head_StoredFile_HasContentLengthAndNoBody()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.StoreAsync("clip.mp4", RandomNumberGenerator.GetBytes(5000), "video/mp4");

        using var head = await server.SendAsync(HttpMethod.Head, slot.GetUrl);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(5000, head.Content.Headers.ContentLength);
        Assert.Equal("video/mp4", head.Content.Headers.ContentType?.ToString());
        Assert.Equal($"\"{slot.Slot.Id}\"", head.Headers.ETag?.ToString());
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(Token));
    }

    [Fact]
    public async Task Head_WithRange_DescribesTheWholeFile()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.StoreAsync("a.bin", RandomNumberGenerator.GetBytes(100));

        using var head = await server.SendAsync(HttpMethod.Head, slot.GetUrl, h => h.Range = new(0, 9));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(100, head.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Get_BeforeTheUpload_Is404()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.txt", 5);

        using var get = await server.GetAsync(slot.GetUrl);

        await PutTests.AssertRefusedAsync(get, HttpStatusCode.NotFound, "no file at this URL");
        Assert.Equal("no-store", Header(get, "Cache-Control"));
    }

    [Fact]
    public async Task Get_WhileTheUploadIsInProgress_Is404()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.txt", 5);
        await server.Ledger.BeginUploadAsync(slot.Slot.Id, server.Clock.GetUtcNow(), Token);

        using var get = await server.GetAsync(slot.GetUrl);

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Get_UnderAnotherFileName_Is404()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.StoreAsync("a.txt", "hello"u8.ToArray());

        foreach (var name in new[] { "b.txt", "A.txt", "a.txt.exe", "a.txt%2F", "a.txt/", "a.txt%20", "a.txt/." })
        {
            Assert.Equal(404, await server.RawStatusAsync("GET", $"/files/{slot.Slot.Id}/{name}"));
        }

        // Any percent-encoding that decodes to the name is the name.
        Assert.Equal(200, await server.RawStatusAsync("GET", $"/files/{slot.Slot.Id}/%61%2Etxt"));
        Assert.Equal(200, await server.RawStatusAsync("GET", $"/files/{slot.Slot.Id}/a.txt?download=1"));
    }

    [Fact]
    public async Task Get_NameWithPercentSign_IsServedOnlyUnderItsSingleEncoding()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.StoreAsync("100%/2F.txt", "hello"u8.ToArray());
        Assert.Equal("100%_2F.txt", slot.Slot.FileName);

        using var get = await server.GetAsync(slot.GetUrl);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        using var twice = await server.GetAsync(new Uri(server.BaseAddress, $"files/{slot.Slot.Id}/100%2525_2F.txt"));
        Assert.Equal(HttpStatusCode.NotFound, twice.StatusCode);
        using var slash = await server.GetAsync(new Uri(server.BaseAddress, $"files/{slot.Slot.Id}/100%25%2F2F.txt"));
        Assert.Equal(HttpStatusCode.NotFound, slash.StatusCode);
    }

    [Fact]
    public async Task Get_MalformedSlotId_Is404WithoutTouchingTheLedger()
    {
        await using var server = await UploadServer.StartAsync();
        var calls = server.Ledger.Calls;

        foreach (var id in new[] { "x", new string('a', 31), new string('a', 31) + "1", new string('A', 32), "%61" + new string('a', 31) })
        {
            Assert.Equal(404, await server.RawStatusAsync("GET", $"/files/{id}/a.txt"));
        }

        // Dot segments are resolved before routing; the id must still be the one in the raw target.
        Assert.Equal(404, await server.RawStatusAsync("GET", $"/files/{new string('a', 32)}/x/../a.txt"));

        Assert.Equal(calls, server.Ledger.Calls);
    }

    [Fact]
    public async Task Get_EphemeralFilePastExpireBefore_Is404EvenThoughTheBlobRemains()
    {
        await using var server = await UploadServer.StartAsync();
        var expireBefore = server.Clock.GetUtcNow().AddHours(1);
        var slot = await server.StoreAsync("tmp.txt", "hello"u8.ToArray(), purpose: Purpose.Ephemeral, expireBefore: expireBefore);
        server.Clock.Advance(TimeSpan.FromMinutes(20));

        using (var before = await server.GetAsync(slot.GetUrl))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            Assert.Equal("public, max-age=2400, immutable", Header(before, "Cache-Control"));
        }

        server.Clock.Advance(TimeSpan.FromMinutes(40));

        using var after = await server.GetAsync(slot.GetUrl);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        using var head = await server.SendAsync(HttpMethod.Head, slot.GetUrl);
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.True(await server.Blobs.ExistsAsync(slot.Slot.Id, Token));
    }

    [Theory]
    [InlineData("image/jpeg")]
    [InlineData("image/png")]
    [InlineData("image/webp")]
    [InlineData("audio/ogg")]
    [InlineData("video/mp4")]
    public async Task Get_SafeMediaType_IsInlineWithEncodedFileName(string type)
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.StoreAsync("Ünïcödé \"quoted\";.dat", "hello"u8.ToArray(), type);

        using var get = await server.GetAsync(slot.GetUrl);

        Assert.Equal(
            "inline; filename=\"_n_c_d_ _quoted__.dat\"; filename*=UTF-8''%C3%9Cn%C3%AFc%C3%B6d%C3%A9%20_quoted_%3B.dat",
            Header(get, "Content-Disposition"));
        Assert.Equal(type, get.Content.Headers.ContentType?.ToString());
    }

    [Theory]
    [InlineData("image/svg+xml")]
    [InlineData("text/html")]
    [InlineData("text/html; charset=utf-8")]
    [InlineData("application/xhtml+xml")]
    [InlineData("text/plain")]
    [InlineData("application/pdf")]
    [InlineData(null)]
    public async Task Get_OtherMediaType_IsAnAttachmentWithNosniffAndCsp(string? type)
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.StoreAsync("café.svg", "<svg/>"u8.ToArray(), type);

        using var get = await server.GetAsync(slot.GetUrl);

        Assert.Equal("attachment; filename=\"caf_.svg\"; filename*=UTF-8''caf%C3%A9.svg", Header(get, "Content-Disposition"));
        Assert.Equal(type ?? "application/octet-stream", get.Content.Headers.ContentType?.ToString());
        Assert.Equal("nosniff", Header(get, "X-Content-Type-Options"));
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", Header(get, "Content-Security-Policy"));
    }

    [Fact]
    public async Task Delete_IsMethodNotAllowedWithAllow()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.StoreAsync("a.txt", "hello"u8.ToArray());

        foreach (var method in new[] { HttpMethod.Delete, HttpMethod.Post, HttpMethod.Patch, new HttpMethod("PROPFIND") })
        {
            using var response = await server.SendAsync(method, slot.GetUrl);
            await PutTests.AssertRefusedAsync(response, HttpStatusCode.MethodNotAllowed, "GET, HEAD, PUT, OPTIONS");
            Assert.Equal(["GET", "HEAD", "PUT", "OPTIONS"], response.Content.Headers.Allow);
        }

        using var get = await server.GetAsync(slot.GetUrl);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    internal static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"The response has no {name} header.");
}
