using XmppUpload.Testing;

namespace XmppUpload.Cluster.Tests;

/// <summary>The cluster on Azure Blob Storage (Azurite); a subclass may vary the nodes' settings (<see cref="ClusterFixture.ConfigureNodes"/>).</summary>
public class AzureBlobClusterFixture : ClusterFixture
{
    private AzuriteServer? _azurite;

    public override string BlobStore => "AzureBlob";

    public AzuriteServer Azurite => _azurite ?? throw new InvalidOperationException("The cluster has not started.");

    protected override async Task<IReadOnlyDictionary<string, string>> StartObjectStoreAsync(CancellationToken cancellationToken)
    {
        _azurite = await AzuriteServer.StartAsync(cancellationToken);
        return new Dictionary<string, string>
        {
            ["BlobStore:Provider"] = "AzureBlob",
            ["ConnectionStrings:BlobStore"] = _azurite.ConnectionString,
            // Three nodes create it at start if missing, at once; the store takes "already exists" as done.
            ["BlobStore:Container"] = "cluster",
        };
    }

    protected override async ValueTask StopObjectStoreAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}
