using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace XmppUpload.Storage.AzureBlob;

/// <summary>Takes <see cref="AzureBlobStorageOptions.ConnectionString"/> from <c>ConnectionStrings:BlobStore</c>, the only place it is read from.</summary>
internal sealed class AzureBlobStorageOptionsSetup(IConfiguration configuration) : IConfigureOptions<AzureBlobStorageOptions>
{
    public void Configure(AzureBlobStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ConnectionString = configuration.GetConnectionString(AzureBlobStorageOptions.ConnectionStringName);
    }
}
