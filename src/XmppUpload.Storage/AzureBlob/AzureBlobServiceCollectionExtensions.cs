using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.AzureBlob;

/// <summary>Registers the Azure Blob Storage blob store.</summary>
public static class AzureBlobServiceCollectionExtensions
{
    /// <summary>
    /// The Azure blob store as <see cref="IBlobStore"/> (replacing one registered before, such as the file-system store
    /// of <c>AddEmbeddedStorage</c>), with <see cref="AzureBlobStorageOptions"/> from <c>ConnectionStrings:BlobStore</c>
    /// and <c>BlobStore:Container</c>, validated at start, and a start-up step that creates the container if missing.
    /// </summary>
    public static IServiceCollection AddAzureBlobStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions<AzureBlobStorageOptions>().BindConfiguration(AzureBlobStorageOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<AzureBlobStorageOptions>, AzureBlobStorageOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureBlobStorageOptions>, AzureBlobStorageOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton<AzureBlobStore>();
        services.RemoveAll<IBlobStore>();
        services.AddSingleton<IBlobStore>(provider => provider.GetRequiredService<AzureBlobStore>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AzureBlobStoreStartup>());

        return services;
    }
}
