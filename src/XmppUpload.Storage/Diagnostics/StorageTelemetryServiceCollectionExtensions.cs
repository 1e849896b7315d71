using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using XmppUpload.Core.Ports;
using XmppUpload.Storage.AzureBlob;
using XmppUpload.Storage.FileSystem;
using XmppUpload.Storage.S3;

namespace XmppUpload.Storage.Diagnostics;

/// <summary>Wraps the registered storage in its telemetry (see <see cref="StorageTelemetry"/>).</summary>
public static class StorageTelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Call after the ledger and blob store are chosen: the <see cref="IBlobStore"/> registered last is decorated, so
    /// every caller (uploads, WebDAV, the sweeper, health) is measured alike.
    /// </summary>
    public static IServiceCollection AddStorageTelemetry(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        services.TryAddSingleton<StorageTelemetry>();
        services.TryAddSingleton<StoredUsageGauges>();
        services.AddHostedService<StoredUsageGaugesStartup>();
        Decorate<IBlobStore>(services, (inner, provider) =>
            new InstrumentedBlobStore(inner, BlobProviderName(inner), provider.GetRequiredService<StorageTelemetry>()));
        return services;
    }

    private static string BlobProviderName(IBlobStore store) => store switch
    {
        FileSystemBlobStore => "filesystem",
        S3BlobStore => "s3",
        AzureBlobStore => "azureblob",
        _ => store.GetType().Name,
    };

    private static void Decorate<TService>(IServiceCollection services, Func<TService, IServiceProvider, TService> decorate)
        where TService : class
    {
        var index = -1;
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(TService) && !services[i].IsKeyedService)
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            throw new InvalidOperationException($"No {typeof(TService).Name} is registered to decorate.");
        }

        var original = services[index];
        services[index] = ServiceDescriptor.Describe(
            typeof(TService),
            provider => decorate((TService)Resolve(original, provider), provider),
            original.Lifetime);
    }

    private static object Resolve(ServiceDescriptor descriptor, IServiceProvider provider) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);

    /// <summary>Creates the gauges with the host, so they exist before the first collection.</summary>
    private sealed class StoredUsageGaugesStartup(StoredUsageGauges gauges) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(gauges);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
