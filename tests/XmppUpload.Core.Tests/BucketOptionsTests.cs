using XmppUpload.Core.Accounts;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Tests;

public sealed class BucketOptionsTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void Bucket_Defaults_MatchThePurposes()
    {
        var options = new UploadOptions();

        Assert.Equal(new BucketPolicy(Purpose.Message, true, 100 * MiB, TimeSpan.FromDays(30), 1024 * MiB, OverQuotaRule.EvictOldest), options.Bucket(Purpose.Message));
        Assert.Equal(new BucketPolicy(Purpose.Profile, true, 5 * MiB, TimeSpan.FromDays(365), 50 * MiB, OverQuotaRule.Reject), options.Bucket(Purpose.Profile));
        Assert.Equal(new BucketPolicy(Purpose.Ephemeral, true, 100 * MiB, TimeSpan.FromDays(30), 1024 * MiB, OverQuotaRule.EvictOldest), options.Bucket(Purpose.Ephemeral));
        Assert.Equal(new BucketPolicy(Purpose.Permanent, true, 100 * MiB, null, 5120 * MiB, OverQuotaRule.Reject), options.Bucket(Purpose.Permanent));
    }

    [Fact]
    public void Bucket_ConfiguredValues_OverrideOnlyWhatIsSet()
    {
        var options = new UploadOptions();
        options.Purposes["profile"] = new PurposeOptions { Quota = 10 * MiB, Retention = "none" };

        var profile = options.Bucket(Purpose.Profile);

        Assert.Equal(10 * MiB, profile.Quota);
        Assert.Null(profile.Retention);
        Assert.Equal(5 * MiB, profile.MaxFileSize);
        Assert.Equal(OverQuotaRule.Reject, profile.OverQuota);
        Assert.True(profile.Enabled);
    }

    [Fact]
    public void Bucket_SmallerServiceLimit_CapsTheDefaults()
    {
        var options = new UploadOptions { MaxFileSize = 2 * MiB };

        Assert.Equal(2 * MiB, options.Bucket(Purpose.Profile).MaxFileSize);
        Assert.Equal(2 * MiB, options.Bucket(Purpose.Message).MaxFileSize);
    }

    [Theory]
    [InlineData("30.00:00:00", 30 * 24 * 3600)]
    [InlineData("01:00:00", 3600)]
    public void ParseRetention_ReadsDurations(string value, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), UploadOptions.ParseRetention(value));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("Infinite")]
    public void ParseRetention_NoneMeansNoExpiry(string value)
    {
        Assert.Null(UploadOptions.ParseRetention(value));
    }

    [Theory]
    [InlineData("forever")]
    [InlineData("-1.00:00:00")]
    [InlineData("00:00:00")]
    public void ParseRetention_RefusesOtherValues(string value)
    {
        Assert.Throws<FormatException>(() => UploadOptions.ParseRetention(value));
    }
}
