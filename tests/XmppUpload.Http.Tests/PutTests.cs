using System.Net;
using System.Security.Cryptography;
using XmppUpload.Core.Slots;
using XmppUpload.Core.Tokens;
using XmppUpload.Http.Tests.Support;

namespace XmppUpload.Http.Tests;

/// <summary>XEP-0363 section 7, the PUT, against a real server.</summary>
public sealed class PutTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Put_WithTheSlotsHeaders_Returns201AndGetServesTheSameBytes()
    {
        await using var server = await UploadServer.StartAsync();
        var body = RandomNumberGenerator.GetBytes(300 * 1024);
        var slot = await server.GrantAsync("très cool 日本 ✓.jpg", body.Length, "image/jpeg");

        using var put = await server.PutAsync(slot, body);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(new SlotUrls(new Uri(UploadServer.PublicUrl)).For(slot.Slot.Id, slot.Slot.FileName), put.Headers.Location);
        Assert.Contains("tr%C3%A8s%20cool%20%E6%97%A5%E6%9C%AC%20%E2%9C%93.jpg", slot.GetUrl.AbsoluteUri, StringComparison.Ordinal);
        using var get = await server.GetAsync(slot.GetUrl);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(body, await get.Content.ReadAsByteArrayAsync(Token));
        Assert.Equal("image/jpeg", get.Content.Headers.ContentType?.ToString());
    }

    [Fact]
    public async Task Put_LargerThanTheServerWideBodyLimit_IsAcceptedUpToTheSlotSize()
    {
        await using var server = await UploadServer.StartAsync();
        var body = RandomNumberGenerator.GetBytes((int)UploadServer.ServerWideBodyLimit * 8 + 17);
        var slot = await server.GrantAsync("big.bin", body.Length);

        using var put = await server.PutAsync(slot, body);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var get = await server.GetAsync(slot.GetUrl);
        Assert.Equal(body, await get.Content.ReadAsByteArrayAsync(Token));
    }

    [Fact]
    public async Task Put_WithoutAuthorization_IsForbiddenAndStoresNothing()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.txt", 5);

        using var put = await server.PutAsync(slot, "hello"u8.ToArray(), withoutAuthorization: true);

        await AssertRefusedAsync(put, HttpStatusCode.Forbidden, "Authorization");
        await AssertNothingStoredAsync(server, slot);
    }

    [Fact]
    public async Task Put_WithForgedToken_IsForbiddenAndStoresNothing()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.txt", 5);
        var token = UploadServer.TokenOf(slot);
        var forged = token[..^2] + (token[^2] == 'A' ? "BB" : "AA");

        using var put = await server.PutAsync(slot, "hello"u8.ToArray(), authorization: forged);

        await AssertRefusedAsync(put, HttpStatusCode.Forbidden, "not valid");
        await AssertNothingStoredAsync(server, slot);
    }

    [Fact]
    public async Task Put_WithTokenOfAnotherSlot_IsForbiddenAndStoresNothing()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.txt", 5);
        var other = await server.GrantAsync("a.txt", 5);

        using var put = await server.PutAsync(slot, "hello"u8.ToArray(), authorization: UploadServer.TokenOf(other));

        await AssertRefusedAsync(put, HttpStatusCode.Forbidden, "not valid");
        await AssertNothingStoredAsync(server, slot);
        await AssertNothingStoredAsync(server, other);
    }

    [Fact]
    public async Task Put_WithTokenSignedByAnUnknownKey_IsForbidden()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.txt", 5);
        var strangers = new SlotTokens(() => [new SigningKey("stranger", RandomNumberGenerator.GetBytes(SigningKey.SecretLength), server.Clock.GetUtcNow())]);
        var token = strangers.Issue(slot.Slot.Id, slot.Slot.FileName, 5, null, slot.Slot.PutDeadline);

        using var put = await server.PutAsync(slot, "hello"u8.ToArray(), authorization: token);

        await AssertRefusedAsync(put, HttpStatusCode.Forbidden, "not valid");
    }

    [Fact]
    public async Task Put_AfterThePutDeadline_IsForbiddenAsSlotExpired()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.txt", 5);
        server.Clock.Advance(TimeSpan.FromSeconds(301));

        using var put = await server.PutAsync(slot, "hello"u8.ToArray());

        await AssertRefusedAsync(put, HttpStatusCode.Forbidden, "slot expired");
        await AssertNothingStoredAsync(server, slot);
    }

    [Fact]
    public async Task Put_ToUnknownSlotWithAValidToken_Is404()
    {
        await using var server = await UploadServer.StartAsync();
        var id = SlotIds.New();
        var token = server.Tokens.Issue(id, "a.txt", 5, null, server.Clock.GetUtcNow().AddMinutes(5));
        var slot = await server.GrantAsync("a.txt", 5);
        var url = new Uri(server.BaseAddress, $"files/{id}/a.txt");

        using var put = await server.PutAsync(slot, "hello"u8.ToArray(), authorization: token, url: url);

        await AssertRefusedAsync(put, HttpStatusCode.NotFound, "no such slot");
    }

    [Fact]
    public async Task Put_ToMalformedSlotId_Is404WithoutTouchingTheLedger()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.txt", 5);
        var calls = server.Ledger.Calls;

        foreach (var id in new[] { "short", slot.Slot.Id.ToUpperInvariant(), slot.Slot.Id[..^1] + "1", slot.Slot.Id + "a" })
        {
            using var put = await server.PutAsync(slot, "hello"u8.ToArray(), url: new Uri(server.BaseAddress, $"files/{id}/a.txt"));
            await AssertRefusedAsync(put, HttpStatusCode.NotFound, "no slot");
        }

        Assert.Equal(calls, server.Ledger.Calls);
    }

    [Fact]
    public async Task Put_ToTheNameInAnotherEncoding_IsForbiddenBecauseTheTokenCoversTheDecodedName()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("100%.txt", 5);
        Assert.EndsWith("/100%25.txt", slot.PutUrl.AbsoluteUri, StringComparison.Ordinal);

        // Decoded once, "100%2525.txt" is "100%25.txt": not the slot's name, however often a server decodes.
        using var twice = await server.PutAsync(slot, "hello"u8.ToArray(), url: new Uri(server.BaseAddress, $"files/{slot.Slot.Id}/100%2525.txt"));
        await AssertRefusedAsync(twice, HttpStatusCode.Forbidden, "not valid");

        using var put = await server.PutAsync(slot, "hello"u8.ToArray());
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    [Fact]
    public async Task Put_Chunked_IsRejectedWith411AndStoresNothing()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.txt", 5);
        using var request = new HttpRequestMessage(HttpMethod.Put, slot.PutUrl) { Content = new ByteArrayContent("hello"u8.ToArray()) };
        request.Headers.TryAddWithoutValidation("Authorization", UploadServer.TokenOf(slot));
        request.Headers.TransferEncodingChunked = true;

        using var put = await server.Client.SendAsync(request, Token);

        await AssertRefusedAsync(put, HttpStatusCode.LengthRequired, "Content-Length: 5");
        await AssertNothingStoredAsync(server, slot);
    }

    [Fact]
    public async Task Put_WithoutContentLength_IsRejectedWith411()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.txt", 5);
        await using var connection = await RawConnection.OpenAsync(server.BaseAddress);

        await connection.SendAsync($"PUT {slot.PutUrl.PathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {UploadServer.TokenOf(slot)}\r\n\r\n");
        var (status, _) = await connection.ReadHeadAsync();

        Assert.Equal(411, status);
        await AssertNothingStoredAsync(server, slot);
    }

    [Fact]
    public async Task Put_WithSmallerContentLength_IsRejectedWith400AndStoresNothing()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.txt", 5);

        using var put = await server.PutAsync(slot, "hell"u8.ToArray());

        await AssertRefusedAsync(put, HttpStatusCode.BadRequest, "smaller than the slot's size of 5 bytes");
        await AssertNothingStoredAsync(server, slot);
        using var retry = await server.PutAsync(slot, "hello"u8.ToArray());
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
    }

    [Fact]
    public async Task Put_WithLargerContentLength_IsRejectedWith413AndStoresNothing()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.txt", 5);

        using var put = await server.PutAsync(slot, "hello!"u8.ToArray());

        await AssertRefusedAsync(put, HttpStatusCode.RequestEntityTooLarge, "larger than the slot's size of 5 bytes");
        await AssertNothingStoredAsync(server, slot);
        using var retry = await server.PutAsync(slot, "hello"u8.ToArray());
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
    }

    [Fact]
    public async Task Put_WithAnotherContentType_IsRejectedWith415AndStoresNothing()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.jpg", 5, "image/jpeg");

        using var put = await server.PutAsync(slot, "hello"u8.ToArray(), contentType: "text/html");

        await AssertRefusedAsync(put, HttpStatusCode.UnsupportedMediaType, "'image/jpeg'");
        await AssertNothingStoredAsync(server, slot);
    }

    [Fact]
    public async Task Put_WithoutContentTypeWhenTheSlotHasOne_IsRejectedWith415()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.jpg", 5, "image/jpeg");
        using var request = new HttpRequestMessage(HttpMethod.Put, slot.PutUrl) { Content = new ByteArrayContent("hello"u8.ToArray()) };
        request.Headers.TryAddWithoutValidation("Authorization", UploadServer.TokenOf(slot));

        using var put = await server.Client.SendAsync(request, Token);

        await AssertRefusedAsync(put, HttpStatusCode.UnsupportedMediaType, "(none)");
    }

    [Fact]
    public async Task Put_WithTheSameMediaTypeInOtherCaseAndWithParameters_IsAcceptedAndServedWithTheSlotsType()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.txt", 5, "text/plain; charset=utf-8");

        using var put = await server.PutAsync(slot, "hello"u8.ToArray(), contentType: "Text/PLAIN; charset=iso-8859-1");

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var get = await server.GetAsync(slot.GetUrl);
        Assert.Equal("text/plain; charset=utf-8", get.Content.Headers.ContentType?.ToString());
    }

    [Fact]
    public async Task Put_WithAnyContentTypeWhenTheSlotHasNone_IsAcceptedAndServedAsOctetStream()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("page.html", 5);

        using var put = await server.PutAsync(slot, "hello"u8.ToArray(), contentType: "text/html");

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var get = await server.GetAsync(slot.GetUrl);
        Assert.Equal("application/octet-stream", get.Content.Headers.ContentType?.ToString());
    }

    [Fact]
    public async Task Put_AfterASuccessfulUpload_IsConflictAndKeepsTheFirstFile()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.StoreAsync("a.txt", "hello"u8.ToArray());

        using var second = await server.PutAsync(slot, "HELLO"u8.ToArray());

        await AssertRefusedAsync(second, HttpStatusCode.Conflict, "already been uploaded");
        using var get = await server.GetAsync(slot.GetUrl);
        Assert.Equal("hello", await get.Content.ReadAsStringAsync(Token));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Put_WhenTheClientDropsMidBody_StoresNothingAndARetrySucceeds(bool reset)
    {
        await using var server = await UploadServer.StartAsync();
        var body = RandomNumberGenerator.GetBytes(200 * 1024);
        var slot = await server.GrantAsync("cut.bin", body.Length);

        await using var connection = await RawConnection.OpenAsync(server.BaseAddress);
        await connection.SendAsync(PutHead(slot, body.Length));
        // Kestrel sends 100 Continue when the handler starts reading the body, which is after the ledger said Started.
        Assert.Equal(100, (await connection.ReadHeadAsync()).Status);
        await connection.SendAsync(body.AsMemory(0, body.Length / 2));
        connection.Drop(reset);
        await server.Ledger.WaitForAbortAsync(slot.Slot.Id);

        using (var get = await server.GetAsync(slot.GetUrl))
        {
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }

        await AssertNothingStoredAsync(server, slot);
        using var retry = await server.PutAsync(slot, body);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        using var after = await server.GetAsync(slot.GetUrl);
        Assert.Equal(body, await after.Content.ReadAsByteArrayAsync(Token));
    }

    [Fact]
    public async Task Put_WhenTheBlobStoreFails_Returns500AndTheSlotTakesARetry()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.txt", 5);
        server.Blobs.FailNextWrites(1);

        using var failed = await server.PutAsync(slot, "hello"u8.ToArray());

        await AssertRefusedAsync(failed, HttpStatusCode.InternalServerError, "could not be stored");
        await AssertNothingStoredAsync(server, slot);
        using var retry = await server.PutAsync(slot, "hello"u8.ToArray());
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
    }

    [Fact]
    public async Task Put_WhileAnotherUploadIsInProgress_IsConflictAndTheFirstOneFinishes()
    {
        await using var server = await UploadServer.StartAsync();
        var body = RandomNumberGenerator.GetBytes(64 * 1024);
        var slot = await server.GrantAsync("race.bin", body.Length);
        await using var first = await RawConnection.OpenAsync(server.BaseAddress);
        await first.SendAsync(PutHead(slot, body.Length));
        Assert.Equal(100, (await first.ReadHeadAsync()).Status);
        await first.SendAsync(body.AsMemory(0, 1000));

        using (var second = await server.PutAsync(slot, body))
        {
            await AssertRefusedAsync(second, HttpStatusCode.Conflict, "in progress");
        }

        await first.SendAsync(body.AsMemory(1000));
        var (status, head) = await first.ReadHeadAsync();
        Assert.Equal(201, status);
        Assert.Contains("Location: " + UploadServer.PublicUrl, head, StringComparison.Ordinal);
        using var get = await server.GetAsync(slot.GetUrl);
        Assert.Equal(body, await get.Content.ReadAsByteArrayAsync(Token));
    }

    private static string PutHead(GrantedSlot slot, long length) =>
        $"PUT {slot.PutUrl.PathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {UploadServer.TokenOf(slot)}\r\n"
        + $"Content-Length: {length}\r\nExpect: 100-continue\r\n\r\n";

    internal static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        Assert.Equal(status, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.StartsWith($"{(int)status} ", text, StringComparison.Ordinal);
        Assert.Contains(reason, text, StringComparison.Ordinal);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
    }

    private static async Task AssertNothingStoredAsync(UploadServer server, GrantedSlot slot)
    {
        Assert.False(await server.Blobs.ExistsAsync(slot.Slot.Id, Token));
        var recorded = await server.Ledger.FindSlotAsync(slot.Slot.Id, Token);
        Assert.Equal(SlotState.Pending, recorded?.State);
    }
}
