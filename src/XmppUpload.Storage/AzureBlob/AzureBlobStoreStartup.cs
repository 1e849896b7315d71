using Microsoft.Extensions.Hosting;

namespace XmppUpload.Storage.AzureBlob;

/// <summary>
/// Creates the container, if missing, before the node takes requests; a store it cannot reach or is refused by
/// (a wrong key, say) fails the start with the service's error, rather than the first upload.
/// </summary>
/// <remarks>
/// Runs in <see cref="StartingAsync"/>, which the host calls for every lifecycle service before any hosted service's
/// <c>StartAsync</c>, so it finishes before the web server starts, whatever the registration order.
/// </remarks>
internal sealed class AzureBlobStoreStartup(AzureBlobStore store) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => store.EnsureContainerAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
