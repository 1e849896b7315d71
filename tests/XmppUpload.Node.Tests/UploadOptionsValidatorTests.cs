using XmppUpload.Core.Configuration;
using XmppUpload.Node.Configuration;

namespace XmppUpload.Node.Tests;

/// <summary>Upload:UploadLease is checked at start: a lease the renewals cannot keep, or one no retry could outwait.</summary>
public sealed class UploadOptionsValidatorTests
{
    [Fact]
    public void Defaults_AreValid()
    {
        Assert.True(new UploadOptionsValidator().Validate(null, new UploadOptions()).Succeeded);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:00.500")]
    [InlineData("00:05:01")]
    [InlineData("00:05:00", "00:05:00")]
    [InlineData("00:01:00", "00:00:30")]
    public void UploadLease_OutOfRangeOrNotShorterThanTheSlotLifetime_FailsNamingTheKey(string lease, string slotLifetime = "00:05:00")
    {
        var options = new UploadOptions { UploadLease = TimeSpan.Parse(lease, null), SlotLifetime = TimeSpan.Parse(slotLifetime, null) };

        var result = new UploadOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Upload:UploadLease must be a duration between 00:00:01 and 00:05:00 and shorter than Upload:SlotLifetime", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:01")]
    [InlineData("00:00:03")]
    [InlineData("00:04:59")]
    public void UploadLease_WithinRange_IsValid(string lease)
    {
        Assert.True(new UploadOptionsValidator().Validate(null, new UploadOptions { UploadLease = TimeSpan.Parse(lease, null) }).Succeeded);
    }
}
