using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace XmppUpload.Http.Tests;

/// <summary>The <c>Http</c> section: a bad value stops the start with one line that names the key and what to set.</summary>
public sealed class HttpOptionsTests
{
    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:05")]
    [InlineData("00:01:00")]
    public void Validate_StoredSlotCacheDurationWithinAMinute_Succeeds(string duration)
    {
        var result = new HttpOptionsValidator().Validate(null, new HttpOptions { PublicUrl = "https://u.example/", StoredSlotCacheDuration = TimeSpan.Parse(duration, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("00:01:00.001")]
    [InlineData("01:00:00")]
    public void Validate_StoredSlotCacheDurationNegativeOrOverAMinute_FailsNamingTheKey(string duration)
    {
        var result = new HttpOptionsValidator().Validate(null, new HttpOptions { PublicUrl = "https://u.example/", StoredSlotCacheDuration = TimeSpan.Parse(duration, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Http:StoredSlotCacheDuration is ", failure, StringComparison.Ordinal);
        Assert.Contains("between 00:00:00 (no cache) and 00:01:00", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://upload.example.org/")]
    [InlineData("https://upload.example.org")]
    [InlineData("https://example.org:8443/files/")]
    [InlineData("http://127.0.0.1:5000/x-y/files_2/")]
    public void Validate_UsablePublicUrl_Succeeds(string url)
    {
        var result = new HttpOptionsValidator().Validate(null, new HttpOptions { PublicUrl = url });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData(null, "Http:PublicUrl is not set")]
    [InlineData("  ", "Http:PublicUrl is not set")]
    [InlineData("/files/", "not an absolute http or https URL")]
    [InlineData("upload.example.org", "not an absolute http or https URL")]
    [InlineData("ftp://upload.example.org/", "not an absolute http or https URL")]
    [InlineData("https://upload.example.org/?a=b", "has a query, fragment or user info")]
    [InlineData("https://user@upload.example.org/", "has a query, fragment or user info")]
    [InlineData("https://upload.example.org/{x}/", "has a path with '{'")]
    [InlineData("https://upload.example.org/a%20b/", "has a path with ' '")]
    [InlineData("https://upload.example.org/a//b/", "empty or dot segment")]
    public void Validate_UnusablePublicUrl_FailsNamingTheKey(string? url, string expected)
    {
        var result = new HttpOptionsValidator().Validate(null, new HttpOptions { PublicUrl = url });

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Http:PublicUrl", failure, StringComparison.Ordinal);
        Assert.Contains(expected, failure, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', failure);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("https://web.example.org")]
    [InlineData("https://web.example.org/ http://localhost:8080, https://b.example")]
    public void Validate_UsableCorsOrigins_Succeeds(string origins)
    {
        var result = new HttpOptionsValidator().Validate(null, new HttpOptions { PublicUrl = "https://u.example/", CorsAllowedOrigins = origins });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("* https://web.example.org", "mixes *")]
    [InlineData("web.example.org", "entry 'web.example.org' is not an origin")]
    [InlineData("https://web.example.org/app", "is not an origin")]
    [InlineData("ws://web.example.org", "is not an origin")]
    public void Validate_UnusableCorsOrigins_FailsNamingTheKey(string origins, string expected)
    {
        var result = new HttpOptionsValidator().Validate(null, new HttpOptions { PublicUrl = "https://u.example/", CorsAllowedOrigins = origins });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Http:CorsAllowedOrigins", failure, StringComparison.Ordinal);
        Assert.Contains(expected, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void MapUploadEndpoints_WithoutPublicUrl_StopsTheHostWithTheKeyToSet()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Http:CorsAllowedOrigins"] = "*" });
        builder.Services.AddUploadEndpoints();
        using var app = builder.Build();

        var failure = Assert.Throws<OptionsValidationException>(() => app.MapUploadEndpoints());

        Assert.Contains("Http:PublicUrl is not set; set it to the absolute https URL", failure.Message, StringComparison.Ordinal);
    }
}
