using System.Buffers;
using Amazon.Runtime;
using Microsoft.Extensions.Options;

namespace XmppUpload.Storage.S3;

/// <summary>Fails the start with one line naming the <c>BlobStore:S3:*</c> key to fix.</summary>
internal sealed class S3BlobStoreOptionsValidator : IValidateOptions<S3BlobStoreOptions>
{
    private const int MaxKeyPrefixLength = 256;

    private static readonly SearchValues<char> BucketCharacters = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789.-");

    private static readonly SearchValues<char> KeyPrefixCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_.");

    private readonly Func<string?> _fallbackRegion;

    public S3BlobStoreOptionsValidator()
        : this(static () => FallbackRegionFactory.GetRegionEndpoint()?.SystemName)
    {
    }

    /// <param name="fallbackRegion">The region the AWS SDK would find on its own (environment, profile), or null.</param>
    internal S3BlobStoreOptionsValidator(Func<string?> fallbackRegion) => _fallbackRegion = fallbackRegion;

    public ValidateOptionsResult Validate(string? name, S3BlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Check(options) is { } failure ? ValidateOptionsResult.Fail(failure) : ValidateOptionsResult.Success;
    }

    private string? Check(S3BlobStoreOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Bucket))
        {
            return $"BlobStore:S3:Bucket is empty: {Set("Bucket", "the name of an existing bucket")}.";
        }

        // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
        var bucket = options.Bucket;
        if (bucket.Length is < 3 or > 63
            || bucket.ContainsAnyExcept(BucketCharacters)
            || !char.IsAsciiLetterOrDigit(bucket[0])
            || !char.IsAsciiLetterOrDigit(bucket[^1]))
        {
            return $"BlobStore:S3:Bucket '{bucket}' is not a bucket name: {Set("Bucket", "3 to 63 characters of [a-z0-9.-], starting and ending with a letter or digit")}.";
        }

        if (options.ServiceUrl is { } serviceUrl
            && (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            return $"BlobStore:S3:ServiceUrl '{serviceUrl}' is not an http or https URL: {Set("ServiceUrl", "the endpoint of the S3-compatible service, e.g. https://s3.example.net, or remove it for AWS")}.";
        }

        if (string.IsNullOrWhiteSpace(options.ServiceUrl) && string.IsNullOrWhiteSpace(options.Region) && _fallbackRegion() is null)
        {
            return $"Neither BlobStore:S3:Region nor BlobStore:S3:ServiceUrl is set and the AWS SDK found no region (AWS_REGION, ~/.aws/config): {Set("Region", "the bucket's region, e.g. eu-central-1")}.";
        }

        if (string.IsNullOrEmpty(options.AccessKey) != string.IsNullOrEmpty(options.SecretKey))
        {
            return "BlobStore:S3:AccessKey and BlobStore:S3:SecretKey go together: set both (environment variables BlobStore__S3__AccessKey and BlobStore__S3__SecretKey), or neither to use the AWS SDK's usual credential sources.";
        }

        if (options.PartSize is < S3BlobStoreOptions.MinPartSize or > S3BlobStoreOptions.MaxPartSize)
        {
            return $"BlobStore:S3:PartSize {options.PartSize} is out of range: {Set("PartSize", $"a number of bytes from {S3BlobStoreOptions.MinPartSize} (S3's minimum part) to {S3BlobStoreOptions.MaxPartSize}")}.";
        }

        if (options.KeyPrefix.Length > MaxKeyPrefixLength || options.KeyPrefix.ContainsAnyExcept(KeyPrefixCharacters) || options.KeyPrefix.StartsWith('/'))
        {
            return $"BlobStore:S3:KeyPrefix '{options.KeyPrefix}' is not usable: {Set("KeyPrefix", $"up to {MaxKeyPrefixLength} characters of [A-Za-z0-9/-_.] not starting with '/', e.g. uploads/, or leave it empty")}.";
        }

        if (options.StagedUploadMaxAge <= TimeSpan.Zero)
        {
            return $"BlobStore:S3:StagedUploadMaxAge {options.StagedUploadMaxAge} is not positive: {Set("StagedUploadMaxAge", "a time span longer than any upload takes, e.g. 1.00:00:00")}.";
        }

        return null;
    }

    private static string Set(string key, string what) => $"set BlobStore:S3:{key} to {what} (environment variable BlobStore__S3__{key})";
}
