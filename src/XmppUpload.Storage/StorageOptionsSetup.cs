using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace XmppUpload.Storage;

/// <summary>Makes <see cref="StorageOptions.Path"/> absolute, so that a later change of working directory moves nothing.</summary>
internal sealed class StorageOptionsSetup : IPostConfigureOptions<StorageOptions>
{
    private readonly string _basePath;

    // The content root, not the working directory: a service manager may start the node from "/".
    public StorageOptionsSetup(IHostEnvironment? environment = null) =>
        _basePath = environment?.ContentRootPath is { Length: > 0 } root ? root : Directory.GetCurrentDirectory();

    public void PostConfigure(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            return;
        }

        try
        {
            options.Path = Path.GetFullPath(options.Path, _basePath);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            // Left as given: the validator reports it with the key to fix.
        }
    }
}
