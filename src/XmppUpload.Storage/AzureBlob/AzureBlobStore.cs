using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.AzureBlob;

/// <summary>
/// Blobs as block blobs in one Azure Blob Storage container, named by their keys, through the Blob service's REST API
/// (<see cref="AzureBlobClient"/>). Writes stage uncommitted blocks and commit them with one Put Block List, so a reader
/// sees a whole blob or none. Keys are slot ids, never user input: anything but 1 to 64 characters of
/// <c>[a-z0-9]</c> is refused, as in the file-system store.
/// </summary>
public sealed class AzureBlobStore : IBlobStore, IDisposable
{
    public const int MaxKeyLength = BlobKeys.MaxLength;


    private readonly AzureBlobClient _client;
    private readonly int _blockSize;
    private readonly int _listPageSize;
    private readonly ILogger _logger;

    public AzureBlobStore(IOptions<AzureBlobStorageOptions> options, TimeProvider timeProvider, ILogger<AzureBlobStore> logger)
        : this(options, timeProvider, logger, handler: null)
    {
    }

    /// <param name="handler">Replaces the pooled HTTP handler (tests); null for the real one.</param>
    internal AzureBlobStore(IOptions<AzureBlobStorageOptions> options, TimeProvider timeProvider, ILogger<AzureBlobStore> logger, HttpMessageHandler? handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        var value = options.Value;
        var account = AzureStorageConnectionString.Parse(value.ConnectionString);
        if (AzureBlobStorageOptionsValidator.ContainerProblem(value.Container) is { } problem)
        {
            throw new ArgumentException($"BlobStore:Container {problem}.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(value.BlockSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(value.ListPageSize, 1, nameof(options));
        _blockSize = value.BlockSize;
        _listPageSize = Math.Min(value.ListPageSize, AzureBlobClient.MaxListResults);
        _logger = logger;
        _client = new AzureBlobClient(account, value.Container, timeProvider, logger, handler);
    }

    /// <summary>The container's URL, e.g. <c>https://account.blob.core.windows.net/uploads</c>.</summary>
    public Uri ContainerUri => _client.ContainerUri;

    /// <summary>Creates the container unless it exists; called once at start, before uploads are accepted.</summary>
    public async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (await _client.CreateContainerAsync(cancellationToken))
        {
            AzureBlobLog.ContainerCreated(_logger, ContainerUri);
        }

        AzureBlobLog.ContainerReady(_logger, ContainerUri);
    }

    public Task<IBlobWriter> BeginWriteAsync(string key, CancellationToken cancellationToken)
    {
        BlobKeys.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        // Nothing to send yet: the first block goes out when the first buffer is full, or at the commit.
        return Task.FromResult<IBlobWriter>(new AzureBlobWriter(_client, key, _blockSize, _logger));
    }

    public async Task<Stream?> OpenReadAsync(string key, long offset, long length, CancellationToken cancellationToken)
    {
        BlobKeys.Validate(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);

        // An empty range has no x-ms-range to ask for, and a range past long.MaxValue lies outside any blob: both
        // need only the blob's length.
        if (length == 0 || length > long.MaxValue - offset)
        {
            var size = await _client.GetBlobLengthAsync(key, cancellationToken);
            if (size is null)
            {
                return null;
            }

            ThrowIfOutside(offset, length, size.Value);
            return Stream.Null;
        }

        var result = await _client.GetBlobRangeAsync(key, offset, length, cancellationToken);
        switch (result.Status)
        {
            case BlobRangeStatus.Found:
                return result.Content;
            case BlobRangeStatus.NotFound:
                return null;
            default:
                // The service says only "not satisfiable"; the length says whether the blob is there at all.
                var size = await _client.GetBlobLengthAsync(key, cancellationToken);
                if (size is null)
                {
                    return null;
                }

                ThrowIfOutside(offset, length, size.Value);
                // Replaced by a longer blob between the two requests: one more try.
                var again = await _client.GetBlobRangeAsync(key, offset, length, cancellationToken);
                return again.Status switch
                {
                    BlobRangeStatus.Found => again.Content,
                    BlobRangeStatus.NotFound => null,
                    _ => throw new ArgumentOutOfRangeException(nameof(length), $"The range of {length} bytes from {offset} lies outside the blob."),
                };
        }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        BlobKeys.Validate(key);
        return await _client.GetBlobLengthAsync(key, cancellationToken) is not null;
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        BlobKeys.Validate(key);
        return _client.DeleteBlobAsync(key, cancellationToken);
    }

    /// <remarks>
    /// Pages through List Blobs (5,000 a page, one page in memory at a time). Uncommitted writes are not listed.
    /// Names that are not keys (put there by something else) are skipped: <see cref="DeleteAsync"/> could not reach them.
    /// </remarks>
    public async IAsyncEnumerable<BlobListing> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? marker = null;
        do
        {
            var page = await _client.ListBlobsAsync(marker, _listPageSize, cancellationToken);
            foreach (var blob in page.Blobs)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (blob.Name is { } name && BlobKeys.IsValid(name))
                {
                    yield return new BlobListing(name, blob.LastModified);
                }
            }

            marker = page.NextMarker;
        }
        while (marker is not null);
    }

    /// <summary>
    /// Nothing to remove, so 0: a crashed upload leaves only uncommitted blocks, which no read or list can see and which
    /// the service itself discards (at the next commit of that name, or a week after the last Put Block). There is no
    /// operation to delete uncommitted blocks of a blob that was never committed, and committing them to delete the blob
    /// would briefly make a partial blob visible.
    /// </summary>
    public Task<int> RemoveStagedAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(0);
    }

    public void Dispose() => _client.Dispose();


    private static void ThrowIfOutside(long offset, long length, long size)
    {
        if (offset > size || length > size - offset)
        {
            throw new ArgumentOutOfRangeException(
                nameof(length),
                $"The range of {length} bytes from {offset} lies outside the blob of {size} bytes.");
        }
    }
}
