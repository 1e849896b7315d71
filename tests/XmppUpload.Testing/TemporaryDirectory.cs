using System.Security.Cryptography;

namespace XmppUpload.Testing;

/// <summary>A fresh directory under the system temp path, deleted with everything in it on dispose.</summary>
public sealed class TemporaryDirectory : IDisposable
{
    private TemporaryDirectory(string path) => Path = path;

    public string Path { get; }

    /// <summary>Creates /tmp/xmppupload-{prefix}-{random}.</summary>
    public static TemporaryDirectory Create(string prefix)
    {
        var path = System.IO.Path.Combine(
            System.IO.Path.GetTempPath(),
            $"xmppupload-{prefix}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}");
        Directory.CreateDirectory(path);
        return new TemporaryDirectory(path);
    }

    public string Combine(params ReadOnlySpan<string> parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
            // A process killed a moment ago may still be closing a file; leave /tmp to clean that up
            // rather than failing a test that has otherwise passed.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
