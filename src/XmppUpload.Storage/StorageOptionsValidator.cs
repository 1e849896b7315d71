using Microsoft.Extensions.Options;

namespace XmppUpload.Storage;

/// <summary>Fails the start with one line naming <c>Storage:Path</c> when the node cannot keep its data there.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    private const string Remedy = "set Storage:Path to a directory the node can write (environment variable Storage__Path)";

    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            return ValidateOptionsResult.Fail($"Storage:Path is empty: {Remedy}.");
        }

        string path;
        try
        {
            path = Path.GetFullPath(options.Path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return Fail(options.Path, "is not a valid path", e);
        }

        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(path, "cannot be created", e);
        }

        try
        {
            // A probe rather than permission bits: read-only mounts, ACLs and full disks only show when writing.
            using var probe = new FileStream(
                Path.Combine(path, $".write-probe-{Guid.NewGuid():N}"),
                FileMode.CreateNew,
                FileAccess.Write,
                FileShare.None,
                bufferSize: 1,
                FileOptions.DeleteOnClose);
            probe.WriteByte(0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(path, "is not writable", e);
        }

        return ValidateOptionsResult.Success;
    }

    private static ValidateOptionsResult Fail(string path, string problem, Exception cause) =>
        ValidateOptionsResult.Fail($"Storage:Path '{path}' {problem}: {Remedy}. ({OneLine(cause.Message)})");

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
