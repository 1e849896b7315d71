using System.Runtime.InteropServices;

namespace XmppUpload.Storage.FileSystem;

/// <summary>
/// Makes a rename durable: fsync on the directory that holds the new name (POSIX keeps directory entries in the page
/// cache like file data). .NET cannot open a directory as a stream, so this calls libc directly; elsewhere it is a no-op.
/// </summary>
internal static partial class DirectorySync
{
    // O_RDONLY; a directory opens read-only without O_DIRECTORY, whose value differs between architectures.
    private const int ReadOnly = 0;

    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var descriptor = Open(directory, ReadOnly);
        if (descriptor < 0)
        {
            throw new IOException($"Could not open '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"Could not flush '{directory}' to disk (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);
}
