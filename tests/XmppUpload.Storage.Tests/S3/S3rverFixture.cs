using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests.S3;

/// <summary>One s3rver for the tests of a class; each test keeps to its own key prefix, so none sees another's blobs.</summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    private S3rverServer? _server;

    public S3rverServer Server => _server ?? throw new InvalidOperationException("s3rver has not started.");

    public async ValueTask InitializeAsync() => _server = await S3rverServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
