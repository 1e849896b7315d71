using XmppUpload.Core.Accounts;

namespace XmppUpload.Core.Configuration;

/// <summary>
/// Settings of one purpose bucket (configuration section <c>Upload:Purposes:&lt;name&gt;</c>). Unset values take the
/// purpose's defaults (<see cref="BucketDefaults"/>), so setting one key never resets the others.
/// </summary>
public sealed class PurposeOptions
{
    internal static readonly PurposeOptions Default = new();

    public bool? Enabled { get; set; }

    /// <summary>Largest file of this purpose in bytes.</summary>
    public long? MaxFileSize { get; set; }

    /// <summary>How long a stored file is served; <c>none</c> (or <c>infinite</c>) keeps it until deleted.</summary>
    public string? Retention { get; set; }

    /// <summary>Bytes one account may keep in this bucket, stored plus reserved by open slots.</summary>
    public long? Quota { get; set; }

    /// <summary>What a request over the quota gets: <c>Reject</c> or <c>EvictOldest</c>.</summary>
    public OverQuotaRule? OverQuota { get; set; }
}
