namespace XmppUpload.Benchmarks.Http;

/// <summary>Removing what a server stored, for targets whose files the run deletes behind the server's back.</summary>
internal static class StoredFiles
{
    /// <summary>Deletes everything inside <paramref name="directory"/> (files and folders), keeping the directory.</summary>
    public static void EmptyDirectory(string directory, CancellationToken cancellationToken)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entry is DirectoryInfo folder)
            {
                folder.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
    }
}
