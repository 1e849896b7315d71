using System.Net;

namespace XmppUpload.Http.Tests.Dav;

/// <summary>WebDav:Quota per owner (507) and WebDav:MaxFileSize (413).</summary>
public sealed class DavQuotaTests
{
    private const string Romeo = "romeo@montague.net/pda";

    [Fact]
    public async Task Put_LargerThanMaxFileSize_Is413AndStoresNothing()
    {
        await using var server = await DavServer.StartAsync(quota: 1000, maxFileSize: 100);
        using var response = await server.PutAsync("big.bin", Romeo, new string('x', 101));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        using var get = await server.SendAsync("GET", "big.bin", Romeo);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Put_WhenTheBlobStoreFails_Is500NotTheClientsFault_AndStoresNothing()
    {
        await using var server = await DavServer.StartAsync(quota: 1000, maxFileSize: 100);
        server.Blobs.FailNextWrites(1);

        using var response = await server.PutAsync("report.txt", Romeo, "quarterly figures");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("could not be stored", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        using var get = await server.SendAsync("GET", "report.txt", Romeo);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        using var retry = await server.PutAsync("report.txt", Romeo, "quarterly figures");
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
    }

    [Fact]
    public async Task Put_BeyondQuota_Is507_ReplacingFreesTheOldVersion_OtherOwnersUnaffected()
    {
        await using var server = await DavServer.StartAsync(quota: 150, maxFileSize: 100);
        using var first = await server.PutAsync("a.bin", Romeo, new string('a', 100));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        using var over = await server.PutAsync("b.bin", Romeo, new string('b', 60));
        Assert.Equal((HttpStatusCode)507, over.StatusCode);
        using var replace = await server.PutAsync("a.bin", Romeo, new string('c', 90));
        Assert.Equal(HttpStatusCode.NoContent, replace.StatusCode);
        using var other = await server.PutAsync("juliet.bin", "juliet@capulet.com/phone", new string('j', 100));
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
    }

    [Fact]
    public async Task Copy_BeyondQuota_Is507()
    {
        await using var server = await DavServer.StartAsync(quota: 150, maxFileSize: 100);
        (await server.PutAsync("a.bin", Romeo, new string('a', 100))).Dispose();
        using var copy = await server.SendAsync("COPY", "a.bin", Romeo, headers: h => h.Add("Destination", "/dav/b.bin"));
        Assert.Equal((HttpStatusCode)507, copy.StatusCode);
    }
}
