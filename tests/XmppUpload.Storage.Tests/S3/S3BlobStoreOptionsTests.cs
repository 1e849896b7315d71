using Amazon.S3;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Ports;
using XmppUpload.Storage.S3;

namespace XmppUpload.Storage.Tests.S3;

public sealed class S3BlobStoreOptionsTests
{
    private static readonly S3BlobStoreOptionsValidator Validator = new(fallbackRegion: () => null);

    [Fact]
    public void Validate_ServiceUrlAndBucket_Succeeds()
    {
        Assert.True(Validator.Validate(null, Valid()).Succeeded);
    }

    [Fact]
    public void Validate_RegionWithoutServiceUrl_Succeeds()
    {
        var options = Valid();
        options.ServiceUrl = null;
        options.Region = "eu-central-1";

        Assert.True(Validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_NeitherRegionNorServiceUrl_SucceedsWhenTheSdkFindsARegion()
    {
        var options = Valid();
        options.ServiceUrl = null;

        Assert.True(new S3BlobStoreOptionsValidator(fallbackRegion: () => "eu-west-1").Validate(null, options).Succeeded);
    }

    public static TheoryData<string, Action<S3BlobStoreOptions>> Invalid => new()
    {
        {
            "BlobStore:S3:Bucket is empty: set BlobStore:S3:Bucket to the name of an existing bucket (environment variable BlobStore__S3__Bucket).",
            o => o.Bucket = " "
        },
        {
            "BlobStore:S3:Bucket 'Uploads' is not a bucket name: set BlobStore:S3:Bucket to 3 to 63 characters of [a-z0-9.-], starting and ending with a letter or digit (environment variable BlobStore__S3__Bucket).",
            o => o.Bucket = "Uploads"
        },
        {
            "BlobStore:S3:ServiceUrl 'ftp://s3.example.net' is not an http or https URL: set BlobStore:S3:ServiceUrl to the endpoint of the S3-compatible service, e.g. https://s3.example.net, or remove it for AWS (environment variable BlobStore__S3__ServiceUrl).",
            o => o.ServiceUrl = "ftp://s3.example.net"
        },
        {
            "Neither BlobStore:S3:Region nor BlobStore:S3:ServiceUrl is set and the AWS SDK found no region (AWS_REGION, ~/.aws/config): set BlobStore:S3:Region to the bucket's region, e.g. eu-central-1 (environment variable BlobStore__S3__Region).",
            o => o.ServiceUrl = null
        },
        {
            "BlobStore:S3:AccessKey and BlobStore:S3:SecretKey go together: set both (environment variables BlobStore__S3__AccessKey and BlobStore__S3__SecretKey), or neither to use the AWS SDK's usual credential sources.",
            o => o.SecretKey = null
        },
        {
            "BlobStore:S3:PartSize 1048576 is out of range: set BlobStore:S3:PartSize to a number of bytes from 5242880 (S3's minimum part) to 536870912 (environment variable BlobStore__S3__PartSize).",
            o => o.PartSize = 1024 * 1024
        },
        {
            "BlobStore:S3:KeyPrefix '/uploads/' is not usable: set BlobStore:S3:KeyPrefix to up to 256 characters of [A-Za-z0-9/-_.] not starting with '/', e.g. uploads/, or leave it empty (environment variable BlobStore__S3__KeyPrefix).",
            o => o.KeyPrefix = "/uploads/"
        },
        {
            "BlobStore:S3:StagedUploadMaxAge 00:00:00 is not positive: set BlobStore:S3:StagedUploadMaxAge to a time span longer than any upload takes, e.g. 1.00:00:00 (environment variable BlobStore__S3__StagedUploadMaxAge).",
            o => o.StagedUploadMaxAge = TimeSpan.Zero
        },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_InvalidSetting_FailsWithOneLineNamingTheKey(string expected, Action<S3BlobStoreOptions> spoil)
    {
        var options = Valid();
        spoil(options);

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(expected, Assert.Single(result.Failures!));
    }

    [Fact]
    public void AddS3BlobStore_BindsBlobStoreS3AndServesIBlobStore()
    {
        using var provider = Services(new Dictionary<string, string?>
        {
            ["BlobStore:S3:ServiceUrl"] = "http://127.0.0.1:9",
            ["BlobStore:S3:Bucket"] = "uploads",
            ["BlobStore:S3:AccessKey"] = "key",
            ["BlobStore:S3:SecretKey"] = "secret",
            ["BlobStore:S3:KeyPrefix"] = "files/",
        });

        var store = Assert.IsType<S3BlobStore>(provider.GetRequiredService<IBlobStore>());

        Assert.Same(store, provider.GetRequiredService<S3BlobStore>());
        Assert.Equal("uploads", store.Bucket);
        Assert.Equal("files/abc", store.ObjectKey("abc"));
        var config = Assert.IsType<AmazonS3Config>(store.Client.Config);
        Assert.True(config.ForcePathStyle);
        Assert.Equal("us-east-1", config.AuthenticationRegion);
    }

    [Fact]
    public void AddS3BlobStore_ForcePathStyleFalse_IsKept()
    {
        using var provider = Services(new Dictionary<string, string?>
        {
            ["BlobStore:S3:ServiceUrl"] = "https://s3.example.net",
            ["BlobStore:S3:Bucket"] = "uploads",
            ["BlobStore:S3:Region"] = "eu-central-1",
            ["BlobStore:S3:ForcePathStyle"] = "false",
        });

        var store = provider.GetRequiredService<S3BlobStore>();

        var config = Assert.IsType<AmazonS3Config>(store.Client.Config);
        Assert.False(config.ForcePathStyle);
        Assert.Equal("eu-central-1", config.AuthenticationRegion);
    }

    [Fact]
    public void AddS3BlobStore_MissingBucket_FailsWithTheKeyInTheMessage()
    {
        using var provider = Services(new Dictionary<string, string?> { ["BlobStore:S3:ServiceUrl"] = "http://127.0.0.1:9" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<S3BlobStoreOptions>>().Value);

        Assert.Contains("BlobStore:S3:Bucket is empty", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddS3BlobStore();
        return services.BuildServiceProvider();
    }

    private static S3BlobStoreOptions Valid() => new()
    {
        ServiceUrl = "http://127.0.0.1:4568",
        Bucket = "uploads",
        AccessKey = "S3RVER",
        SecretKey = "S3RVER",
    };
}
