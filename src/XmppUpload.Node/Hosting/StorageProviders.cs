using XmppUpload.Storage;
using XmppUpload.Storage.S3;

namespace XmppUpload.Node.Hosting;

/// <summary>
/// Chooses the blob store from <c>BlobStore:Provider</c>: <c>FileSystem</c> (the default, under <c>Storage:Path</c>) for
/// one node, <c>S3</c> or <c>AzureBlob</c> for a cluster. The SQLite ledger stays under <c>Storage:Path</c>.
/// </summary>
internal static class StorageProviders
{
    public const string BlobStoreKey = "BlobStore:Provider";

    private static readonly string[] BlobStores = ["FileSystem", "S3"];

    /// <summary>One line naming the key when the configured provider is unknown, else <c>null</c>.</summary>
    public static string? Check(IConfiguration configuration)
    {
        var provider = configuration[BlobStoreKey];
        return provider is null || BlobStores.Contains(provider, StringComparer.OrdinalIgnoreCase)
            ? null
            : $"{BlobStoreKey} '{provider}' is not a blob store: use {string.Join(" or ", BlobStores)}.";
    }

    public static IServiceCollection AddConfiguredStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEmbeddedStorage();
        if (string.Equals(configuration[BlobStoreKey], "S3", StringComparison.OrdinalIgnoreCase))
        {
            // Replaces the file-system store; the start-up step then cleans the object store's stale staged uploads.
            services.AddS3BlobStore();
        }

        return services;
    }
}
