using System.Globalization;
using XmppUpload.Testing;

namespace XmppUpload.Cluster.Tests;

/// <summary>The cluster on an S3-compatible object store (s3rver); a subclass may vary the nodes' settings (<see cref="ClusterFixture.ConfigureNodes"/>).</summary>
public class S3ClusterFixture : ClusterFixture
{
    /// <summary>S3's smallest part: files larger than this go up as multipart uploads, spread over the node's parts.</summary>
    public const int PartSize = 5 * 1024 * 1024;

    private S3rverServer? _s3;

    public override string BlobStore => "S3";

    public S3rverServer S3 => _s3 ?? throw new InvalidOperationException("The cluster has not started.");

    protected override async Task<IReadOnlyDictionary<string, string>> StartObjectStoreAsync(CancellationToken cancellationToken)
    {
        _s3 = await S3rverServer.StartAsync(cancellationToken: cancellationToken);
        return new Dictionary<string, string>
        {
            ["BlobStore:Provider"] = "S3",
            ["BlobStore:S3:ServiceUrl"] = _s3.ServiceUrl,
            ["BlobStore:S3:Bucket"] = _s3.Bucket,
            ["BlobStore:S3:AccessKey"] = S3rverServer.AccessKey,
            ["BlobStore:S3:SecretKey"] = S3rverServer.SecretKey,
            ["BlobStore:S3:PartSize"] = PartSize.ToString(CultureInfo.InvariantCulture),
        };
    }

    protected override async ValueTask StopObjectStoreAsync()
    {
        if (_s3 is not null)
        {
            await _s3.DisposeAsync();
        }
    }
}
