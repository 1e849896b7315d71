using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace XmppUpload.Storage.FileSystem;

/// <summary>
/// Starts writing a staged file's bytes to disk while the rest of the body still arrives, a window at a time, so that
/// the fsync of the commit waits only for the last window instead of the whole file: with the page cache of a large
/// machine, nothing else would write a 1 GiB upload out before that fsync, and the client would wait for all of it
/// after its last byte. Linux's <c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c> queues the write-out and returns; it
/// promises nothing about durability (the fsync still does). Elsewhere, or where the call fails, this does nothing.
/// </summary>
internal sealed partial class WriteBehind(SafeFileHandle file)
{
    /// <summary>Bytes written between two write-outs: large enough for the disk to see long writes, small enough to overlap.</summary>
    internal const long Window = 8 * 1024 * 1024;

    private const uint SyncFileRangeWrite = 2;

    private long _flushedUpTo;
    private bool _unsupported = !OperatingSystem.IsLinux();

    /// <summary>How many write-outs were queued; for tests.</summary>
    internal int Queued { get; private set; }

    /// <summary>Called with the file's length after each write; queues the write-out of every whole window not yet queued.</summary>
    public void Written(long length)
    {
        if (_unsupported || length - _flushedUpTo < Window)
        {
            return;
        }

        var upTo = length - (length % Window);
        var handleAdded = false;
        try
        {
            file.DangerousAddRef(ref handleAdded);
            if (SyncFileRange(file.DangerousGetHandle().ToInt32(), _flushedUpTo, upTo - _flushedUpTo, SyncFileRangeWrite) != 0)
            {
                // ENOSYS or a file system without it: the fsync at the commit does all the work, as before.
                _unsupported = true;
                return;
            }
        }
        finally
        {
            if (handleAdded)
            {
                file.DangerousRelease();
            }
        }

        _flushedUpTo = upTo;
        Queued++;
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(int descriptor, long offset, long count, uint flags);
}
