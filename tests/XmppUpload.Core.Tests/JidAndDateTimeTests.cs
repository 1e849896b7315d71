using XmppUpload.Core.Addressing;

namespace XmppUpload.Core.Tests;

public sealed class JidAndDateTimeTests
{
    [Theory]
    [InlineData("romeo@montague.tld/garden", "romeo", "montague.tld", "garden")]
    [InlineData("Romeo@Montague.TLD./Garden", "romeo", "montague.tld", "Garden")]
    [InlineData("montague.tld", null, "montague.tld", null)]
    [InlineData("romeo@montague.tld/a/b@c", "romeo", "montague.tld", "a/b@c")]
    public void TryParse_SplitsAndNormalises(string value, string? local, string domain, string? resource)
    {
        Assert.True(Jid.TryParse(value, out var jid));
        Assert.Equal(local, jid.Local);
        Assert.Equal(domain, jid.Domain);
        Assert.Equal(resource, jid.Resource);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("@montague.tld")]
    [InlineData("romeo@")]
    [InlineData("romeo@montague.tld/")]
    [InlineData("a@b@c")]
    [InlineData("ro\nmeo@montague.tld")]
    public void TryParse_RefusesMalformed(string? value)
    {
        Assert.False(Jid.TryParse(value, out _));
    }

    [Fact]
    public void Bare_DropsResource()
    {
        Assert.Equal("romeo@montague.tld", Jid.Parse("romeo@montague.tld/garden").Bare.ToString());
    }

    [Theory]
    [InlineData("2017-12-03T23:42:05Z", "2017-12-03T23:42:05+00:00")]
    [InlineData("2017-12-03T23:42:05.123Z", "2017-12-03T23:42:05.123+00:00")]
    [InlineData("2017-12-03T23:42:05-08:00", "2017-12-04T07:42:05+00:00")]
    public void XmppDateTime_ParsesXep0082Forms(string value, string expectedUtc)
    {
        Assert.True(XmppDateTime.TryParse(value, out var parsed));
        Assert.Equal(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), parsed);
    }

    [Theory]
    [InlineData("2017-12-03T23:42:05")]
    [InlineData("2017-12-03")]
    [InlineData("23:42:05Z")]
    [InlineData("yesterday")]
    public void XmppDateTime_RefusesOtherForms(string value)
    {
        Assert.False(XmppDateTime.TryParse(value, out _));
    }

    [Fact]
    public void XmppDateTime_FormatsInUtcWithZ()
    {
        var value = new DateTimeOffset(2017, 12, 3, 15, 42, 5, TimeSpan.FromHours(-8));

        Assert.Equal("2017-12-03T23:42:05Z", XmppDateTime.Format(value));
    }
}
