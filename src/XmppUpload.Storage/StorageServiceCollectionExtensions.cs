using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Cluster;
using XmppUpload.Core.Dav;
using XmppUpload.Core.Ports;
using XmppUpload.Storage.Dav;
using XmppUpload.Storage.FileSystem;
using XmppUpload.Storage.Sqlite;

namespace XmppUpload.Storage;

/// <summary>Registers the storage parts of a node.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Single-node storage: the SQLite ledger (<see cref="ILedger"/>, <see cref="IAccountLedger"/>,
    /// <see cref="ISweepLedger"/>, <see cref="ISigningKeyStore"/>, <see cref="ISharedSecretStore"/>, one instance behind all
    /// five), the WebDAV tree
    /// (<see cref="IDavStore"/>, in the same database) and the file-system
    /// blob store (<see cref="IBlobStore"/>) under <c>Storage:Path</c>, validated at start, and a start-up step that
    /// migrates the ledger, removes staged files and resets interrupted uploads before requests are taken. A node on
    /// this storage runs alone: its <see cref="ILinkLeaseProvider"/> always grants the link and its <see cref="INodeBus"/>
    /// stays in the process.
    /// </summary>
    public static IServiceCollection AddEmbeddedStorage(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<StorageOptions>, StorageOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());

        services.TryAddSingleton<SqliteLedger>();
        services.TryAddSingleton<ILedger>(provider => provider.GetRequiredService<SqliteLedger>());
        services.TryAddSingleton<IAccountLedger>(provider => provider.GetRequiredService<SqliteLedger>());
        services.TryAddSingleton<ISweepLedger>(provider => provider.GetRequiredService<SqliteLedger>());
        services.TryAddSingleton<ISigningKeyStore>(provider => provider.GetRequiredService<SqliteLedger>());
        services.TryAddSingleton<ISharedSecretStore>(provider => provider.GetRequiredService<SqliteLedger>());
        services.TryAddSingleton<IStorageTotals>(provider => provider.GetRequiredService<SqliteLedger>());
        services.TryAddSingleton<SqliteDavStore>();
        services.TryAddSingleton<IDavStore>(provider => provider.GetRequiredService<SqliteDavStore>());
        services.TryAddSingleton<FileSystemBlobStore>();
        services.TryAddSingleton<IBlobStore>(provider => provider.GetRequiredService<FileSystemBlobStore>());
        services.TryAddSingleton<ILinkLeaseProvider, SingleNodeLinkLeaseProvider>();
        services.TryAddSingleton<INodeBus, InProcessNodeBus>();

        // First in the list, so that its StartingAsync runs before any other service's (see EmbeddedStorageStartup).
        if (!services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(EmbeddedStorageStartup)))
        {
            services.Insert(0, ServiceDescriptor.Singleton<IHostedService, EmbeddedStorageStartup>());
        }

        return services;
    }
}
