namespace XmppUpload.Storage.AzureBlob;

/// <summary>
/// Where the Azure blob store keeps blobs: the account from <c>ConnectionStrings:BlobStore</c> (Azure's connection-string
/// format, <c>UseDevelopmentStorage=true</c> for Azurite) and the container from <c>BlobStore:Container</c>.
/// </summary>
public sealed class AzureBlobStorageOptions
{
    /// <summary>The configuration section holding <see cref="Container"/>.</summary>
    public const string SectionName = "BlobStore";

    /// <summary>The name under <c>ConnectionStrings</c> holding <see cref="ConnectionString"/>.</summary>
    public const string ConnectionStringName = "BlobStore";

    public const string DefaultContainer = "uploads";

    /// <summary>Bytes sent per Put Block; also the buffer one upload in progress holds.</summary>
    public const int DefaultBlockSize = 4 * 1024 * 1024;

    /// <summary>The account, in Azure's connection-string format; read from <c>ConnectionStrings:BlobStore</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The container; created at start when missing.</summary>
    public string Container { get; set; } = DefaultContainer;

    /// <summary>
    /// Bytes per block. Not a configuration key (not public, so the binder skips it): tests lower it to exercise
    /// several blocks with small blobs.
    /// </summary>
    internal int BlockSize { get; set; } = DefaultBlockSize;

    /// <summary>Blobs per List Blobs page (the service's maximum by default); internal for the same reason, to test paging.</summary>
    internal int ListPageSize { get; set; } = AzureBlobClient.MaxListResults;
}
