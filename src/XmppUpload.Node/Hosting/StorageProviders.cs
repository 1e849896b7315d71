using XmppUpload.Storage;
using XmppUpload.Storage.AzureBlob;
using XmppUpload.Storage.Postgres;
using XmppUpload.Storage.S3;

namespace XmppUpload.Node.Hosting;

/// <summary>
/// Chooses the ledger from <c>Ledger:Provider</c> (<c>Sqlite</c> under <c>Storage:Path</c>, the default, or
/// <c>Postgres</c> from <c>ConnectionStrings:Ledger</c>, shared by a cluster) and the blob store from
/// <c>BlobStore:Provider</c> (<c>FileSystem</c> under <c>Storage:Path</c>, the default, <c>S3</c> or <c>AzureBlob</c>).
/// </summary>
internal static class StorageProviders
{
    public const string BlobStoreKey = "BlobStore:Provider";

    public const string LedgerKey = "Ledger:Provider";

    private static readonly string[] BlobStores = ["FileSystem", "S3", "AzureBlob"];

    private static readonly string[] Ledgers = ["Sqlite", "Postgres"];

    /// <summary>One line naming the key when the configured providers cannot be used, else <c>null</c>.</summary>
    public static string? Check(IConfiguration configuration)
    {
        var blobStore = configuration[BlobStoreKey];
        if (blobStore is not null && !BlobStores.Contains(blobStore, StringComparer.OrdinalIgnoreCase))
        {
            return $"{BlobStoreKey} '{blobStore}' is not a blob store: use {string.Join(" or ", BlobStores)}.";
        }

        var ledger = configuration[LedgerKey];
        if (ledger is not null && !Ledgers.Contains(ledger, StringComparer.OrdinalIgnoreCase))
        {
            return $"{LedgerKey} '{ledger}' is not a ledger: use {string.Join(" or ", Ledgers)}.";
        }

        return null;
    }

    public static IServiceCollection AddConfiguredStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEmbeddedStorage();
        if (IsPostgres(configuration))
        {
            // Replaces the SQLite ledger's registrations (the WebDAV tree, its nonce key and XEP-0070 state included);
            // its start-up step migrates before anything else starts.
            services.AddPostgresLedger();
        }

        if (string.Equals(configuration[BlobStoreKey], "S3", StringComparison.OrdinalIgnoreCase))
        {
            // Replaces the file-system store; the start-up step then cleans the object store's stale staged uploads.
            services.AddS3BlobStore();
        }
        else if (string.Equals(configuration[BlobStoreKey], "AzureBlob", StringComparison.OrdinalIgnoreCase))
        {
            services.AddAzureBlobStore();
        }

        return services;
    }

    public static bool IsPostgres(IConfiguration configuration) =>
        string.Equals(configuration[LedgerKey], "Postgres", StringComparison.OrdinalIgnoreCase);
}
