using System.Net;
using System.Text;
using System.Xml.Linq;

namespace XmppUpload.Http.Tests.Dav;

public sealed class DavMethodTests
{
    private const string Romeo = "romeo@montague.net/pda";
    private static readonly XNamespace D = "DAV:";

    [Fact]
    public async Task Options_AdvertisesClass1AndMethods()
    {
        await using var server = await DavServer.StartAsync();
        using var response = await server.SendAsync("OPTIONS", "", Romeo);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1", response.Headers.GetValues("DAV").Single());
        Assert.Equal("DAV", response.Headers.GetValues("MS-Author-Via").Single());
        Assert.Contains("PROPPATCH", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Request_WithoutCredentials_Gets401()
    {
        await using var server = await DavServer.StartAsync();
        using var response = await server.SendAsync("PROPFIND", "", null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Put_ThenGet_ReturnsBytesWithValidatorsAndRanges()
    {
        await using var server = await DavServer.StartAsync();
        using var put = await server.PutAsync("missive.html", Romeo, "hello world");
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal("/dav/missive.html", put.Headers.Location!.OriginalString);
        var etag = put.Headers.ETag!.Tag;

        using var get = await server.SendAsync("GET", "missive.html", Romeo);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("hello world", await get.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(etag, get.Headers.ETag!.Tag);
        Assert.NotNull(get.Content.Headers.LastModified);

        using var head = await server.SendAsync("HEAD", "missive.html", Romeo);
        Assert.Equal(11, head.Content.Headers.ContentLength);

        using var range = await server.SendAsync("GET", "missive.html", Romeo, headers: h => h.Range = new System.Net.Http.Headers.RangeHeaderValue(6, 10));
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal("world", await range.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        using var notModified = await server.SendAsync("GET", "missive.html", Romeo, headers: h => h.IfNoneMatch.ParseAdd(etag));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task Put_Replace_Is204AndChangesETag_IfNoneMatchStarIs412_IfMatchIsHonoured()
    {
        await using var server = await DavServer.StartAsync();
        using var first = await server.PutAsync("a.txt", Romeo, "one", h => h.IfNoneMatch.ParseAdd("*"));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        using var again = await server.PutAsync("a.txt", Romeo, "two", h => h.IfNoneMatch.ParseAdd("*"));
        Assert.Equal(HttpStatusCode.PreconditionFailed, again.StatusCode);
        using var wrongMatch = await server.PutAsync("a.txt", Romeo, "two", h => h.IfMatch.ParseAdd("\"nope\""));
        Assert.Equal(HttpStatusCode.PreconditionFailed, wrongMatch.StatusCode);
        using var replaced = await server.PutAsync("a.txt", Romeo, "two", h => h.IfMatch.ParseAdd(first.Headers.ETag!.Tag));
        Assert.Equal(HttpStatusCode.NoContent, replaced.StatusCode);
        Assert.NotEqual(first.Headers.ETag!.Tag, replaced.Headers.ETag!.Tag);
        using var get = await server.SendAsync("GET", "a.txt", Romeo);
        Assert.Equal("two", await get.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Put_WithoutParent_Is409_OnCollection_Is405()
    {
        await using var server = await DavServer.StartAsync();
        using var noParent = await server.PutAsync("missing/a.txt", Romeo, "x");
        Assert.Equal(HttpStatusCode.Conflict, noParent.StatusCode);
        using var mkcol = await server.SendAsync("MKCOL", "col", Romeo);
        Assert.Equal(HttpStatusCode.Created, mkcol.StatusCode);
        using var onCollection = await server.PutAsync("col", Romeo, "x");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, onCollection.StatusCode);
    }

    [Fact]
    public async Task Mkcol_ExistsIs405_NoParentIs409_BodyIs415()
    {
        await using var server = await DavServer.StartAsync();
        using var created = await server.SendAsync("MKCOL", "col", Romeo);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/dav/col/", created.Headers.Location!.OriginalString);
        using var again = await server.SendAsync("MKCOL", "col", Romeo);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, again.StatusCode);
        using var noParent = await server.SendAsync("MKCOL", "a/b", Romeo);
        Assert.Equal(HttpStatusCode.Conflict, noParent.StatusCode);
        using var body = await server.SendAsync("MKCOL", "withbody", Romeo, new StringContent("<x/>"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, body.StatusCode);
    }

    [Fact]
    public async Task Delete_Collection_RemovesSubtree()
    {
        await using var server = await DavServer.StartAsync();
        (await server.SendAsync("MKCOL", "col", Romeo)).Dispose();
        (await server.SendAsync("MKCOL", "col/sub", Romeo)).Dispose();
        (await server.PutAsync("col/sub/f.txt", Romeo, "x")).Dispose();
        using var delete = await server.SendAsync("DELETE", "col", Romeo);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var gone = await server.SendAsync("GET", "col/sub/f.txt", Romeo);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var missing = await server.SendAsync("DELETE", "col", Romeo);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Copy_AndMove_HonourOverwriteDepthAndHosts()
    {
        await using var server = await DavServer.StartAsync();
        (await server.PutAsync("src.txt", Romeo, "data")).Dispose();
        (await server.PutAsync("other.txt", Romeo, "old")).Dispose();
        (await server.XmlAsync("PROPPATCH", "src.txt", Romeo,
            "<D:propertyupdate xmlns:D='DAV:'><D:set><D:prop><z:color xmlns:z='urn:z'>red</z:color></D:prop></D:set></D:propertyupdate>")).Dispose();

        using var copy = await server.SendAsync("COPY", "src.txt", Romeo, headers: h => h.Add("Destination", server.Url("copy.txt").AbsoluteUri));
        Assert.Equal(HttpStatusCode.Created, copy.StatusCode);
        using var noOverwrite = await server.SendAsync("COPY", "src.txt", Romeo, headers: h => { h.Add("Destination", "/dav/other.txt"); h.Add("Overwrite", "F"); });
        Assert.Equal(HttpStatusCode.PreconditionFailed, noOverwrite.StatusCode);
        using var overwrite = await server.SendAsync("COPY", "src.txt", Romeo, headers: h => h.Add("Destination", "/dav/other.txt"));
        Assert.Equal(HttpStatusCode.NoContent, overwrite.StatusCode);
        using var same = await server.SendAsync("COPY", "src.txt", Romeo, headers: h => h.Add("Destination", "/dav/src.txt"));
        Assert.Equal(HttpStatusCode.Forbidden, same.StatusCode);
        using var otherHost = await server.SendAsync("COPY", "src.txt", Romeo, headers: h => h.Add("Destination", "http://elsewhere.example/dav/x"));
        Assert.Equal(HttpStatusCode.BadGateway, otherHost.StatusCode);

        using var move = await server.SendAsync("MOVE", "copy.txt", Romeo, headers: h => h.Add("Destination", "/dav/moved.txt"));
        Assert.Equal(HttpStatusCode.Created, move.StatusCode);
        using var props = await server.XmlAsync("PROPFIND", "moved.txt", Romeo,
            "<D:propfind xmlns:D='DAV:'><D:prop><z:color xmlns:z='urn:z'/></D:prop></D:propfind>", "0");
        var xml = XDocument.Parse(await props.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("red", xml.Descendants(XName.Get("color", "urn:z")).Single().Value);
        using var oldGone = await server.SendAsync("GET", "copy.txt", Romeo);
        Assert.Equal(HttpStatusCode.NotFound, oldGone.StatusCode);

        (await server.SendAsync("MKCOL", "c", Romeo)).Dispose();
        (await server.PutAsync("c/m.txt", Romeo, "m")).Dispose();
        using var shallow = await server.SendAsync("COPY", "c", Romeo, headers: h => { h.Add("Destination", "/dav/c2/"); h.Add("Depth", "0"); });
        Assert.Equal(HttpStatusCode.Created, shallow.StatusCode);
        using var notCopied = await server.SendAsync("GET", "c2/m.txt", Romeo);
        Assert.Equal(HttpStatusCode.NotFound, notCopied.StatusCode);
    }

    [Fact]
    public async Task PropFind_Depth1ListsMembers_Depth0Only_InfinityIs403WithPrecondition()
    {
        await using var server = await DavServer.StartAsync();
        (await server.SendAsync("MKCOL", "col", Romeo)).Dispose();
        (await server.PutAsync("col/f%20g.txt", Romeo, "abc")).Dispose();

        using var depth1 = await server.XmlAsync("PROPFIND", "col/", Romeo, "", "1");
        Assert.Equal((HttpStatusCode)207, depth1.StatusCode);
        var xml = XDocument.Parse(await depth1.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var hrefs = xml.Descendants(D + "href").Select(h => h.Value).ToList();
        Assert.Equal(["/dav/col/", "/dav/col/f%20g.txt"], hrefs);
        var file = xml.Descendants(D + "response").Last();
        Assert.Equal("3", file.Descendants(D + "getcontentlength").Single().Value);
        Assert.Equal("romeo@montague.net", file.Descendants(D + "owner").Single().Value);
        Assert.NotNull(file.Descendants(D + "getetag").Single());
        Assert.True(DateTimeOffset.TryParse(file.Descendants(D + "getlastmodified").Single().Value, out _));

        using var depth0 = await server.XmlAsync("PROPFIND", "col/", Romeo,
            "<D:propfind xmlns:D='DAV:'><D:prop><D:resourcetype/><D:nothing/></D:prop></D:propfind>", "0");
        var zero = XDocument.Parse(await depth0.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Single(zero.Descendants(D + "response"));
        Assert.Single(zero.Descendants(D + "collection"));
        Assert.Contains(zero.Descendants(D + "status"), s => s.Value.Contains("404", StringComparison.Ordinal));

        using var infinity = await server.XmlAsync("PROPFIND", "col/", Romeo, "", "infinity");
        Assert.Equal(HttpStatusCode.Forbidden, infinity.StatusCode);
        Assert.Contains("propfind-finite-depth", await infinity.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task PropPatch_ProtectedProperty_FailsAllWith403And424()
    {
        await using var server = await DavServer.StartAsync();
        (await server.PutAsync("f.txt", Romeo, "x")).Dispose();
        using var patch = await server.XmlAsync("PROPPATCH", "f.txt", Romeo,
            "<D:propertyupdate xmlns:D='DAV:'><D:set><D:prop><z:a xmlns:z='urn:z'>1</z:a><D:getetag>x</D:getetag></D:prop></D:set></D:propertyupdate>");
        var body = await patch.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("403", body);
        Assert.Contains("424", body);
        Assert.Contains("cannot-modify-protected-property", body);

        using var find = await server.XmlAsync("PROPFIND", "f.txt", Romeo,
            "<D:propfind xmlns:D='DAV:'><D:prop><z:a xmlns:z='urn:z'/></D:prop></D:propfind>", "0");
        Assert.Contains("404", await find.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Href_PercentEncodesSegments()
    {
        await using var server = await DavServer.StartAsync();
        using var put = await server.SendAsync("PUT", "r%C3%A9sum%C3%A9%20x.txt", Romeo, new ByteArrayContent(Encoding.UTF8.GetBytes("x")));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal("/dav/r%C3%A9sum%C3%A9%20x.txt", put.Headers.Location!.OriginalString);
    }
}
