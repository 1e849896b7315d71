using System.Globalization;
using XmppUpload.Core.Accounts;
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

    /// <summary>At most this many slot requests per account per window.</summary>
    public RateLimitOptions RateLimit { get; set; } = new();

    public static readonly TimeSpan DefaultUploadLease = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a PUT holds its slot without renewing; it renews every third of this while bytes arrive. When the
    /// process streaming a PUT dies, a retry of the same slot (on any node) waits at most this long before it takes the
    /// slot over. Shorter means faster takeovers and more ledger writes per upload.
    /// </summary>
    public TimeSpan UploadLease { get; set; } = DefaultUploadLease;

    /// <summary>How often each node's sweeper removes expired files and lapsed reservations.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Optional cap on all stored bytes of the service; requests beyond it are refused like a full bucket.</summary>
    public long? GlobalQuota { get; set; }

    public PurposeOptions For(Purpose purpose) =>
        Purposes.TryGetValue(PurposeNames.ElementName(purpose), out var options) ? options : PurposeOptions.Default;

    /// <summary>The bucket of a purpose: its configured values over <see cref="BucketDefaults"/>.</summary>
    public BucketPolicy Bucket(Purpose purpose)
    {
        var defaults = BucketDefaults.For(purpose, MaxFileSize);
        var configured = For(purpose);
        return new BucketPolicy(
            purpose,
            configured.Enabled ?? defaults.Enabled,
            configured.MaxFileSize ?? defaults.MaxFileSize,
            configured.Retention is null ? defaults.Retention : ParseRetention(configured.Retention),
            configured.Quota ?? defaults.Quota,
            configured.OverQuota ?? defaults.OverQuota);
    }

    public bool IsEnabled(Purpose purpose) => Bucket(purpose).Enabled;

    public long MaxFileSizeFor(Purpose purpose) => Bucket(purpose).MaxFileSize;

    public IEnumerable<Purpose> EnabledPurposes => PurposeNames.All.Where(IsEnabled);

    /// <summary>Reads a retention value: a .NET TimeSpan (<c>30.00:00:00</c>), or <c>none</c>/<c>infinite</c> for no expiry.</summary>
    public static TimeSpan? ParseRetention(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        if (text.Equals("none", StringComparison.OrdinalIgnoreCase) || text.Equals("infinite", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var retention) && retention > TimeSpan.Zero
            ? retention
            : throw new FormatException($"'{value}' is not a retention: use a duration such as 30.00:00:00, or none.");
    }
}
