using XmppUpload.Storage.FileSystem;

namespace XmppUpload.Storage.Tests;

public sealed class DirectorySyncTests
{
    [Fact]
    public void Flush_ExistingDirectory_Succeeds()
    {
        var directory = Directory.CreateTempSubdirectory("dirsync-").FullName;
        try
        {
            DirectorySync.Flush(directory);
        }
        finally
        {
            Directory.Delete(directory);
        }
    }

    [Fact]
    public void Flush_MissingDirectory_ThrowsWithThePath()
    {
        var missing = Path.Combine(Path.GetTempPath(), "dirsync-missing-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<IOException>(() => DirectorySync.Flush(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
