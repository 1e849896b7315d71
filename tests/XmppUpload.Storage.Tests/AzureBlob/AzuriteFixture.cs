using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XmppUpload.Storage.AzureBlob;
using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests.AzureBlob;

/// <summary>One Azurite blob service per test class; each test works in a container of its own.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteServer? _server;

    public AzuriteServer Server => _server ?? throw new InvalidOperationException("Azurite has not started.");

    public async ValueTask InitializeAsync() => _server = await AzuriteServer.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>A store on a fresh container (not created yet); <paramref name="configure"/> may change the options.</summary>
    public AzureBlobStore CreateStore(Action<AzureBlobStorageOptions>? configure = null)
    {
        var options = new AzureBlobStorageOptions
        {
            ConnectionString = Server.ConnectionString,
            Container = NewContainerName(),
        };
        configure?.Invoke(options);
        return new AzureBlobStore(Options.Create(options), TimeProvider.System, NullLogger<AzureBlobStore>.Instance);
    }

    public static string NewContainerName() => "test-" + Guid.NewGuid().ToString("N");
}
