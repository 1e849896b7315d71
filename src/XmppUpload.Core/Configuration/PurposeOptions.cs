namespace XmppUpload.Core.Configuration;

/// <summary>Settings of one purpose bucket (configuration section <c>Upload:Purposes:&lt;name&gt;</c>).</summary>
public sealed class PurposeOptions
{
    internal static readonly PurposeOptions Default = new();

    public bool Enabled { get; set; } = true;

    /// <summary>Largest file of this purpose in bytes; <c>null</c> takes <see cref="UploadOptions.MaxFileSize"/>.</summary>
    public long? MaxFileSize { get; set; }
}
