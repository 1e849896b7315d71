using System.Net;
using XmppUpload.Http.Tests.Support;

namespace XmppUpload.Http.Tests;

/// <summary>XEP-0363 section 9: CORS on every upload route, so web clients on other origins can upload and download.</summary>
public sealed class CorsTests
{
    [Fact]
    public async Task Options_Preflight_Returns204WithoutTokenOnAnySlotPath()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.txt", 5);
        var calls = server.Ledger.Calls;

        foreach (var url in new[] { slot.PutUrl, new Uri(server.BaseAddress, "files/not-a-slot/x.txt") })
        {
            using var preflight = await server.SendAsync(HttpMethod.Options, url, h =>
            {
                h.Add("Origin", "https://web.example.net");
                h.Add("Access-Control-Request-Method", "PUT");
                h.Add("Access-Control-Request-Headers", "authorization, content-type");
            });

            Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
            Assert.Equal("*", GetTests.Header(preflight, "Access-Control-Allow-Origin"));
            Assert.Equal("GET, HEAD, PUT, OPTIONS", GetTests.Header(preflight, "Access-Control-Allow-Methods"));
            Assert.Contains("Authorization", GetTests.Header(preflight, "Access-Control-Allow-Headers"), StringComparison.Ordinal);
            Assert.Contains("Content-Type", GetTests.Header(preflight, "Access-Control-Allow-Headers"), StringComparison.Ordinal);
            Assert.Equal("86400", GetTests.Header(preflight, "Access-Control-Max-Age"));
            Assert.False(preflight.Headers.Contains("Access-Control-Allow-Credentials"));
        }

        Assert.Equal(calls, server.Ledger.Calls);
    }

    [Fact]
    public async Task PutAndGet_FromAnyOrigin_CarryAllowOriginStarAndExposedHeaders()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.txt", 5);
        using var request = new HttpRequestMessage(HttpMethod.Put, slot.PutUrl) { Content = new ByteArrayContent("hello"u8.ToArray()) };
        request.Headers.Add("Origin", "https://web.example.net");
        request.Headers.TryAddWithoutValidation("Authorization", UploadServer.TokenOf(slot));

        using var put = await server.Client.SendAsync(request, TestContext.Current.CancellationToken);
        using var get = await server.GetAsync(slot.GetUrl, h => h.Add("Origin", "https://web.example.net"));

        foreach (var response in new[] { put, get })
        {
            Assert.Equal("*", GetTests.Header(response, "Access-Control-Allow-Origin"));
            Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
            var exposed = GetTests.Header(response, "Access-Control-Expose-Headers");
            foreach (var name in new[] { "Content-Length", "Content-Range", "ETag", "Location", "Content-Disposition" })
            {
                Assert.Contains(name, exposed, StringComparison.Ordinal);
            }
        }

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    [Fact]
    public async Task Refusals_CarryCorsHeaders_SoWebClientsCanReadTheReason()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.txt", 5);

        using var put = await server.PutAsync(slot, "hello"u8.ToArray(), withoutAuthorization: true);

        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Equal("*", GetTests.Header(put, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task ConfiguredOrigins_AreEchoedWithCredentials_OthersGetNoAllowOrigin()
    {
        await using var server = await UploadServer.StartAsync("https://web.example.net, http://localhost:8080");
        var slot = await server.StoreAsync("a.txt", "hello"u8.ToArray());

        using var listed = await server.GetAsync(slot.GetUrl, h => h.Add("Origin", "https://web.example.net"));
        using var listedWithPort = await server.SendAsync(HttpMethod.Options, slot.PutUrl, h => h.Add("Origin", "http://localhost:8080"));
        using var other = await server.GetAsync(slot.GetUrl, h => h.Add("Origin", "https://evil.example.com"));

        Assert.Equal("https://web.example.net", GetTests.Header(listed, "Access-Control-Allow-Origin"));
        Assert.Equal("true", GetTests.Header(listed, "Access-Control-Allow-Credentials"));
        Assert.Contains("Origin", GetTests.Header(listed, "Vary"), StringComparison.Ordinal);
        Assert.Equal("http://localhost:8080", GetTests.Header(listedWithPort, "Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(other.Headers.Contains("Access-Control-Allow-Credentials"));
        Assert.Contains("Origin", GetTests.Header(other, "Vary"), StringComparison.Ordinal);
    }
}
