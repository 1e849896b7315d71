using System.Net;

namespace XmppUpload.Http.Tests.Dav;

/// <summary>Malformed XML, DTDs, traversal and other hostile input get a 400 with a reason and change nothing.</summary>
public sealed class DavInputTests
{
    private const string Romeo = "romeo@montague.net/pda";

    [Theory]
    [InlineData("<D:propfind xmlns:D='DAV:'><D:prop>")]
    [InlineData("<foo>")]
    [InlineData("<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><D:propfind xmlns:D='DAV:'><D:prop><D:e>&e;</D:e></D:prop></D:propfind>")]
    [InlineData("<D:propfind xmlns:D='DAV:'><D:prop><bar:foo xmlns:bar=''/></D:prop></D:propfind>")]
    public async Task PropFind_WithMalformedXmlOrDtd_Is400WithReason(string body)
    {
        await using var server = await DavServer.StartAsync();
        using var response = await server.XmlAsync("PROPFIND", "", Romeo, body, "0");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("400 Bad Request:", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task PropPatch_WithDtd_Is400AndStoresNothing()
    {
        await using var server = await DavServer.StartAsync();
        (await server.PutAsync("f.txt", Romeo, "x")).Dispose();
        using var response = await server.XmlAsync("PROPPATCH", "f.txt", Romeo,
            "<!DOCTYPE a [<!ENTITY x 'y'>]><D:propertyupdate xmlns:D='DAV:'><D:set><D:prop><z:a xmlns:z='urn:z'>&x;</z:a></D:prop></D:set></D:propertyupdate>");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("DTD", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("/dav/a/../b")]
    [InlineData("/dav/a/%2e%2e/b")]
    [InlineData("/dav/a%2Fb")]
    [InlineData("/dav/a%5Cb")]
    [InlineData("/dav/a%00b")]
    [InlineData("/dav/a%0Ab")]
    [InlineData("/dav/./a")]
    [InlineData("/dav/a%ZZ")]
    [InlineData("/dav/%C3%28")]
    public async Task Put_WithHostilePath_Is400(string target)
    {
        await using var server = await DavServer.StartAsync();
        Assert.Equal(400, await server.RawStatusAsync("PUT", target, Romeo));
    }

    [Fact]
    public async Task Path_TooLong_Is400()
    {
        await using var server = await DavServer.StartAsync();
        Assert.Equal(400, await server.RawStatusAsync("PUT", "/dav/" + new string('a', 256), Romeo));
        var deep = string.Concat(Enumerable.Repeat("/" + new string('b', 200), 6));
        Assert.Equal(400, await server.RawStatusAsync("MKCOL", "/dav" + deep, Romeo));
    }
}
