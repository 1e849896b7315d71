namespace XmppUpload.Storage.S3;

/// <summary>Where and how the S3-compatible blob store keeps blobs (configuration section <c>BlobStore:S3</c>).</summary>
public sealed class S3BlobStoreOptions
{
    public const string SectionName = "BlobStore:S3";

    /// <summary>S3 requires every part but the last of a multipart upload to hold at least 5 MiB.</summary>
    public const int MinPartSize = 5 * 1024 * 1024;

    /// <summary>One part is buffered per upload in progress, so this bounds the memory an upload can take.</summary>
    public const int MaxPartSize = 512 * 1024 * 1024;

    public const int DefaultPartSize = 8 * 1024 * 1024;

    /// <summary>
    /// Endpoint of an S3-compatible service (MinIO, Ceph RGW, s3rver, ...), e.g. <c>http://127.0.0.1:9000</c>; unset for
    /// AWS itself, where <see cref="Region"/> picks the endpoint.
    /// </summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The bucket holding the blobs; it must exist (the node does not create it).</summary>
    public string? Bucket { get; set; }

    /// <summary>
    /// AWS region (e.g. <c>eu-central-1</c>); with <see cref="ServiceUrl"/> it is only the signing region and defaults
    /// to <c>us-east-1</c>. Without either, the AWS SDK's usual sources (<c>AWS_REGION</c>, <c>~/.aws/config</c>) apply.
    /// </summary>
    public string? Region { get; set; }

    /// <summary>Access key id; with <see cref="SecretKey"/>, or neither to use the AWS SDK's usual credential sources.</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>
    /// Path-style URLs (<c>{ServiceUrl}/{bucket}/{key}</c>) instead of virtual-host style; most S3-compatible services
    /// need them. Defaults to true when <see cref="ServiceUrl"/> is set, false otherwise.
    /// </summary>
    public bool? ForcePathStyle { get; set; }

    /// <summary>
    /// Prepended to every blob key (e.g. <c>uploads/</c>), so the bucket can hold other things; listing and the
    /// clean-up of staged uploads look under this prefix only.
    /// </summary>
    public string KeyPrefix { get; set; } = string.Empty;

    /// <summary>Bytes per multipart part; a blob smaller than one part is stored with a single PutObject.</summary>
    public int PartSize { get; set; } = DefaultPartSize;

    /// <summary>
    /// Multipart uploads started longer ago than this are taken for leftovers of a crash and aborted by
    /// <see cref="S3BlobStore.RemoveStagedAsync"/>; younger ones may belong to another node of the cluster.
    /// </summary>
    public TimeSpan StagedUploadMaxAge { get; set; } = TimeSpan.FromHours(24);
}
