using System.IO.Enumeration;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.FileSystem;

/// <summary>
/// Blobs as files under <c>{Storage:Path}/blobs/</c>, fanned out by the first two characters of the key. Writes go to
/// <c>{Storage:Path}/staging/</c> and are renamed into place on commit, so a reader sees a whole blob or none.
/// Keys are slot ids, never user input: anything but 1 to 64 characters of <c>[a-z0-9]</c> is refused.
/// </summary>
public sealed class FileSystemBlobStore : IBlobStore
{
    public const int MaxKeyLength = BlobKeys.MaxLength;

    public const string BlobsDirectoryName = "blobs";

    public const string StagingDirectoryName = "staging";

    private const string StagedSuffix = ".part";


    private readonly ILogger _logger;

    public FileSystemBlobStore(IOptions<StorageOptions> options, ILogger<FileSystemBlobStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var root = Path.GetFullPath(options.Value.Path);
        BlobsPath = Path.Combine(root, BlobsDirectoryName);
        StagingPath = Path.Combine(root, StagingDirectoryName);
        _logger = logger;
    }

    /// <summary>The absolute path of the directory holding committed blobs.</summary>
    public string BlobsPath { get; }

    /// <summary>The absolute path of the directory holding writes in progress.</summary>
    public string StagingPath { get; }

    public Task<IBlobWriter> BeginWriteAsync(string key, CancellationToken cancellationToken)
    {
        var blobPath = BlobPath(key);
        cancellationToken.ThrowIfCancellationRequested();
        Directory.CreateDirectory(StagingPath);

        // A random part per writer: two PUTs racing for one key never share a staged file.
        var stagedPath = Path.Combine(StagingPath, $"{key}.{RandomNumberGenerator.GetHexString(16, lowercase: true)}{StagedSuffix}");
        // Synchronous writes at explicit offsets, no FileStream buffer: see FileSystemBlobWriter.WriteAsync.
        var file = File.OpenHandle(stagedPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.SequentialScan);
        return Task.FromResult<IBlobWriter>(new FileSystemBlobWriter(file, stagedPath, blobPath, _logger));
    }

    public Task<Stream?> OpenReadAsync(string key, long offset, long length, CancellationToken cancellationToken)
    {
        var blobPath = BlobPath(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        cancellationToken.ThrowIfCancellationRequested();

        FileStream stream;
        try
        {
            stream = new FileStream(blobPath, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                // Delete: a blob being served may be removed or replaced meanwhile (needed on Windows; POSIX allows it).
                Share = FileShare.Read | FileShare.Delete,
                // Synchronous reads: see RangeStream.ReadAsync.
                Options = FileOptions.SequentialScan,
                BufferSize = 0,
            });
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }

        try
        {
            var size = stream.Length;
            if (offset > size || length > size - offset)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(length),
                    $"The range of {length} bytes from {offset} lies outside the blob of {size} bytes.");
            }

            stream.Position = offset;
            return Task.FromResult<Stream?>(new RangeStream(stream, length));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        var blobPath = BlobPath(key);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(File.Exists(blobPath));
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var blobPath = BlobPath(key);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            File.Delete(blobPath);
        }
        catch (DirectoryNotFoundException)
        {
            // Never written: nothing to delete. (A missing file in an existing directory does not throw.)
        }

        // Fan-out directories stay: removing an empty one would race with a commit moving a file into it.
        return Task.CompletedTask;
    }

    /// <remarks>
    /// Walks <c>blobs/*/*</c> one directory entry at a time. Anything that is not a blob of this layout (a name that is
    /// not a key, or a key under another fan-out directory than its own) is skipped: <see cref="DeleteAsync"/> could not
    /// reach it by its key. A blob removed during the walk is either listed or not, as the file system returns it.
    /// </remarks>
    public async IAsyncEnumerable<BlobListing> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!Directory.Exists(BlobsPath))
        {
            yield break;
        }

        foreach (var directory in Directory.EnumerateDirectories(BlobsPath))
        {
            var prefix = Path.GetFileName(directory);
            var listings = new FileSystemEnumerable<BlobListing?>(
                directory,
                static (ref FileSystemEntry entry) => ToListing(ref entry),
                new EnumerationOptions { IgnoreInaccessible = true, RecurseSubdirectories = false, AttributesToSkip = 0 })
            {
                ShouldIncludePredicate = (ref FileSystemEntry entry) =>
                    !entry.IsDirectory
                    && BlobKeys.IsValid(entry.FileName)
                    && entry.FileName[..Math.Min(2, entry.FileName.Length)].SequenceEqual(prefix),
            };

            foreach (var listing in listings)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (listing is not null)
                {
                    yield return listing;
                }
            }

            // Let a large walk share the thread with requests.
            await Task.Yield();
        }
    }

    /// <summary>Deletes everything under the staging directory; call it only while no writer is open (at start).</summary>
    public Task<int> RemoveStagedAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(StagingPath))
        {
            return Task.FromResult(0);
        }

        // Listed first, then deleted: whether readdir returns entries removed while it runs is unspecified.
        var removed = 0;
        foreach (var file in Directory.GetFiles(StagingPath, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            File.Delete(file);
            removed++;
        }

        foreach (var directory in Directory.GetDirectories(StagingPath))
        {
            cancellationToken.ThrowIfCancellationRequested();
            Directory.Delete(directory, recursive: true);
        }

        if (removed > 0)
        {
            Log.StagedFilesRemoved(_logger, removed);
        }

        return Task.FromResult(removed);
    }

    /// <summary>Where the blob of <paramref name="key"/> lives, after checking that the key cannot name anything else.</summary>
    internal string BlobPath(string key)
    {
        BlobKeys.Validate(key);
        return Path.Combine(BlobsPath, key[..Math.Min(2, key.Length)], key);
    }

    private static BlobListing? ToListing(ref FileSystemEntry entry)
    {
        try
        {
            return new BlobListing(entry.FileName.ToString(), entry.LastWriteTimeUtc);
        }
        catch (IOException)
        {
            // Deleted between the directory read and the stat: no longer a blob to list.
            return null;
        }
    }

}
