namespace XmppUpload.Storage;

/// <summary>Where the embedded storage keeps its data (configuration section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    public const string DefaultPath = "./data";

    /// <summary>
    /// Directory holding the ledger database (<c>ledger.db</c>), the blobs (<c>blobs/</c>) and uploads in progress
    /// (<c>staging/</c>). A relative path is taken from the host's content root and made absolute at start.
    /// </summary>
    public string Path { get; set; } = DefaultPath;
}
