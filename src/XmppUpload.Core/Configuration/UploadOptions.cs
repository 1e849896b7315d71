using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Configuration;

/// <summary>Limits for slot requests (configuration section <c>Upload</c>).</summary>
public sealed class UploadOptions
{
    public const string SectionName = "Upload";

    public const long DefaultMaxFileSize = 100L * 1024 * 1024;

    /// <summary>Largest file a slot may be granted for, in bytes; a purpose may set a lower or higher limit.</summary>
    public long MaxFileSize { get; set; } = DefaultMaxFileSize;

    /// <summary>How long a PUT URL stays valid; XEP-0363 section 9 recommends about 300 seconds.</summary>
    public TimeSpan SlotLifetime { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>Per-purpose settings, keyed by the purpose's element name (<c>message</c>, <c>profile</c>, ...).</summary>
    public Dictionary<string, PurposeOptions> Purposes { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public PurposeOptions For(Purpose purpose) =>
        Purposes.TryGetValue(PurposeNames.ElementName(purpose), out var options) ? options : PurposeOptions.Default;

    public bool IsEnabled(Purpose purpose) => For(purpose).Enabled;

    public long MaxFileSizeFor(Purpose purpose) => For(purpose).MaxFileSize ?? MaxFileSize;

    public IEnumerable<Purpose> EnabledPurposes => PurposeNames.All.Where(IsEnabled);
}
