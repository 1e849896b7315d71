using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.S3;

/// <summary>Registers the S3-compatible blob store.</summary>
public static class S3BlobStoreServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="IBlobStore"/> as <see cref="S3BlobStore"/> (replacing any earlier registration, such as the file-system
    /// store of <c>AddEmbeddedStorage</c>), configured from <c>BlobStore:S3</c> and validated at start. Whoever starts
    /// the node calls <see cref="IBlobStore.RemoveStagedAsync"/> before taking uploads.
    /// </summary>
    public static IServiceCollection AddS3BlobStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions<S3BlobStoreOptions>().BindConfiguration(S3BlobStoreOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<S3BlobStoreOptions>, S3BlobStoreOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<S3BlobStore>();
        services.Replace(ServiceDescriptor.Singleton<IBlobStore>(provider => provider.GetRequiredService<S3BlobStore>()));
        return services;
    }
}
