using System.Net;

namespace XmppUpload.Http.Tests.Dav;

/// <summary>XEP-0129 sections 4 and 6: ownership and the jidlist.</summary>
public sealed class DavAccessTests
{
    private const string Romeo = "romeo@montague.net/pda";
    private const string JulietPhone = "juliet@capulet.com/phone";
    private const string BenvolioHome = "benvolio@montague.net/home";
    private const string BenvolioOther = "benvolio@montague.net/other";
    private const string Tybalt = "tybalt@capulet.com/sword";

    private const string JidList = """
        <propertyupdate xmlns='DAV:'><set><prop>
          <jidlist xmlns='http://www.xmpp.org/extensions/xep-0129.html#ns'>
            <jid>juliet@capulet.com</jid><jid>benvolio@montague.net/home</jid>
          </jidlist>
        </prop></set></propertyupdate>
        """;

    [Fact]
    public async Task Get_BeforeJidList_OnlyOwner()
    {
        await using var server = await DavServer.StartAsync();
        (await server.PutAsync("missive.html", Romeo, "x")).Dispose();
        using var owner = await server.SendAsync("GET", "missive.html", "romeo@montague.net/other");
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        using var juliet = await server.SendAsync("GET", "missive.html", JulietPhone);
        Assert.Equal(HttpStatusCode.Forbidden, juliet.StatusCode);
    }

    [Fact]
    public async Task Get_AfterJidList_BareAdmitsAllResources_FullOnlyThatResource_UnlistedRefused()
    {
        await using var server = await DavServer.StartAsync();
        (await server.PutAsync("missive.html", Romeo, "x")).Dispose();
        using var patch = await server.XmlAsync("PROPPATCH", "missive.html", Romeo, JidList);
        Assert.Equal((HttpStatusCode)207, patch.StatusCode);
        Assert.Contains("200 OK", await patch.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        foreach (var (jid, status) in new[] { (JulietPhone, HttpStatusCode.OK), ("juliet@capulet.com/laptop", HttpStatusCode.OK), (BenvolioHome, HttpStatusCode.OK), (BenvolioOther, HttpStatusCode.Forbidden), (Tybalt, HttpStatusCode.Forbidden) })
        {
            using var response = await server.SendAsync("GET", "missive.html", jid);
            Assert.True(status == response.StatusCode, $"{jid}: expected {status}, got {response.StatusCode}");
        }

        using var propfind = await server.XmlAsync("PROPFIND", "missive.html", JulietPhone, "", "0");
        var body = await propfind.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("jidlist", body);
        Assert.Contains("benvolio@montague.net/home", body);
    }

    [Fact]
    public async Task NonOwner_CannotOverwriteDeleteMoveOrPropPatch()
    {
        await using var server = await DavServer.StartAsync();
        (await server.PutAsync("missive.html", Romeo, "x")).Dispose();
        (await server.XmlAsync("PROPPATCH", "missive.html", Romeo, JidList)).Dispose();

        using var put = await server.PutAsync("missive.html", JulietPhone, "y");
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        using var delete = await server.SendAsync("DELETE", "missive.html", JulietPhone);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        using var move = await server.SendAsync("MOVE", "missive.html", JulietPhone, headers: h => h.Add("Destination", "/dav/stolen.html"));
        Assert.Equal(HttpStatusCode.Forbidden, move.StatusCode);
        using var patch = await server.XmlAsync("PROPPATCH", "missive.html", JulietPhone, JidList.Replace("juliet@capulet.com", "tybalt@capulet.com", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, patch.StatusCode);
        using var get = await server.SendAsync("GET", "missive.html", Romeo);
        Assert.Equal("x", await get.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Create_InSomeoneElsesCollection_Is403_RootIsShared()
    {
        await using var server = await DavServer.StartAsync();
        using var mine = await server.SendAsync("MKCOL", "romeo", Romeo);
        Assert.Equal(HttpStatusCode.Created, mine.StatusCode);
        using var theirs = await server.SendAsync("MKCOL", "juliet", JulietPhone);
        Assert.Equal(HttpStatusCode.Created, theirs.StatusCode);
        using var intrude = await server.PutAsync("romeo/x.txt", JulietPhone, "x");
        Assert.Equal(HttpStatusCode.Forbidden, intrude.StatusCode);
        using var intrudeCol = await server.SendAsync("MKCOL", "romeo/sub", JulietPhone);
        Assert.Equal(HttpStatusCode.Forbidden, intrudeCol.StatusCode);
    }

    [Fact]
    public async Task PropFind_Depth1_HidesMembersTheRequesterMayNotRead()
    {
        await using var server = await DavServer.StartAsync();
        (await server.PutAsync("romeo.txt", Romeo, "x")).Dispose();
        (await server.PutAsync("juliet.txt", JulietPhone, "y")).Dispose();
        using var listing = await server.XmlAsync("PROPFIND", "", JulietPhone, "", "1");
        var body = await listing.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("juliet.txt", body);
        Assert.DoesNotContain("romeo.txt", body);
    }

    [Fact]
    public async Task Owner_IsProtected_AndInvalidJidInListIs409()
    {
        await using var server = await DavServer.StartAsync();
        (await server.PutAsync("f.txt", Romeo, "x")).Dispose();
        using var owner = await server.XmlAsync("PROPPATCH", "f.txt", Romeo,
            "<D:propertyupdate xmlns:D='DAV:'><D:set><D:prop><D:owner>tybalt@capulet.com</D:owner></D:prop></D:set></D:propertyupdate>");
        Assert.Contains("403", await owner.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        using var bad = await server.XmlAsync("PROPPATCH", "f.txt", Romeo,
            "<D:propertyupdate xmlns:D='DAV:'><D:set><D:prop><j:jidlist xmlns:j='http://www.xmpp.org/extensions/xep-0129.html#ns'><j:jid>@bad</j:jid></j:jidlist></D:prop></D:set></D:propertyupdate>");
        Assert.Contains("409", await bad.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
