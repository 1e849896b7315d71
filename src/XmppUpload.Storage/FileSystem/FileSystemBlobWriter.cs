using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.FileSystem;

/// <summary>One staged write: a file in the staging directory, renamed over the blob on commit, deleted otherwise.</summary>
internal sealed class FileSystemBlobWriter : IBlobWriter
{
    private readonly SafeFileHandle _file;
    private readonly string _stagedPath;
    private readonly string _blobPath;
    private readonly ILogger _logger;
    private readonly WriteBehind _writeBehind;
    private bool _committed;
    private bool _disposed;

    public FileSystemBlobWriter(SafeFileHandle file, string stagedPath, string blobPath, ILogger logger)
    {
        _file = file;
        _stagedPath = stagedPath;
        _blobPath = blobPath;
        _logger = logger;
        _writeBehind = new WriteBehind(file);
    }

    /// <summary>The write-outs queued so far; for tests.</summary>
    internal WriteBehind WriteBehind => _writeBehind;

    public long BytesWritten { get; private set; }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ThrowIfFinished();
        cancellationToken.ThrowIfCancellationRequested();
        // Written here, not on another thread: a write goes to the page cache and costs less than the thread-pool hop
        // an asynchronous FileStream write takes on Linux (see RangeStream.ReadAsync); CommitAsync's fsync is what waits
        // for the disk, and WriteBehind lets most of that happen while the body still arrives.
        RandomAccess.Write(_file, data.Span, BytesWritten);
        BytesWritten += data.Length;
        _writeBehind.Written(BytesWritten);
        return ValueTask.CompletedTask;
    }

    public Task CommitAsync(CancellationToken cancellationToken)
    {
        ThrowIfFinished();
        // On disk before the rename: the ledger marks the slot Stored right after, and a crash must not leave it
        // pointing at a blob whose bytes were still in the page cache.
        RandomAccess.FlushToDisk(_file);
        _file.Dispose();
        cancellationToken.ThrowIfCancellationRequested();

        Directory.CreateDirectory(Path.GetDirectoryName(_blobPath)!);
        // A rename within one file system is atomic: readers see the old blob or the new one, never a partial one.
        File.Move(_stagedPath, _blobPath, overwrite: true);
        // ...and the new directory entry on disk too, before the ledger is told the blob exists.
        DirectorySync.Flush(Path.GetDirectoryName(_blobPath)!);
        _committed = true;
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return ValueTask.CompletedTask;
        }

        _disposed = true;
        _file.Dispose();
        if (_committed)
        {
            return ValueTask.CompletedTask;
        }

        try
        {
            File.Delete(_stagedPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not fatal for the request: RemoveStagedAsync clears it at the next start.
            Log.StagedFileNotRemoved(_logger, _stagedPath, e);
        }

        return ValueTask.CompletedTask;
    }

    private void ThrowIfFinished()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed)
        {
            throw new InvalidOperationException("The blob has been committed; a writer commits once.");
        }
    }
}
