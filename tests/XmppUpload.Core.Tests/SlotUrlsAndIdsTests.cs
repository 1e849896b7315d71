using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Tests;

public sealed class SlotUrlsAndIdsTests
{
    [Fact]
    public void For_PercentEncodesNonAsciiAndSpaces()
    {
        // XEP-0363 section 5: non-ASCII characters MUST be percent-encoded (RFC 3986 section 2.1).
        var url = new SlotUrls(new Uri("https://upload.montague.tld/")).For("abc", "très cool.jpg");

        Assert.Equal("https://upload.montague.tld/abc/tr%C3%A8s%20cool.jpg", url.AbsoluteUri);
    }

    [Theory]
    [InlineData("https://up.example.org/files", "https://up.example.org/files/id/a%2Bb%23c%3F.txt")]
    [InlineData("https://up.example.org/files/", "https://up.example.org/files/id/a%2Bb%23c%3F.txt")]
    public void For_KeepsBasePathAndEncodesReservedCharacters(string publicBase, string expected)
    {
        Assert.Equal(expected, new SlotUrls(new Uri(publicBase)).For("id", "a+b#c?.txt").AbsoluteUri);
    }

    [Fact]
    public void PathFor_MatchesTheUrlPath()
    {
        var url = new SlotUrls(new Uri("http://127.0.0.1:5000/")).For("id", "ä b.txt");

        Assert.Equal(url.AbsolutePath, SlotUrls.PathFor("id", "ä b.txt"));
    }

    [Fact]
    public void New_IdsAreWellFormedAndDistinct()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => SlotIds.New()).ToList();

        Assert.All(ids, id => Assert.True(SlotIds.IsWellFormed(id)));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")]
    [InlineData("abcdefghijklmnopqrstuvwxyz23456")]
    [InlineData("abcdefghijklmnopqrstuvwxyz234561")]
    [InlineData("../../../../../../../etc/passwd0")]
    public void IsWellFormed_RefusesAnythingElse(string candidate)
    {
        Assert.False(SlotIds.IsWellFormed(candidate));
    }
}
