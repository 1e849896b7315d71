using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Accounts;

/// <summary>Defaults of each purpose bucket, for a provider with many users (files from 5 MiB avatars to 100 MiB videos).</summary>
public static class BucketDefaults
{
    private const long MiB = 1024L * 1024;
    private const long GiB = 1024 * MiB;

    /// <param name="maxFileSize">The service-wide <c>Upload:MaxFileSize</c>; no bucket defaults above it.</param>
    public static BucketPolicy For(Purpose purpose, long maxFileSize) => purpose switch
    {
        Purpose.Message => new(purpose, true, maxFileSize, TimeSpan.FromDays(30), 1 * GiB, OverQuotaRule.EvictOldest),
        Purpose.Profile => new(purpose, true, Math.Min(5 * MiB, maxFileSize), TimeSpan.FromDays(365), 50 * MiB, OverQuotaRule.Reject),
        // As message, but never served past the request's expire-before (XEP-0363 "Ephemeral").
        Purpose.Ephemeral => new(purpose, true, maxFileSize, TimeSpan.FromDays(30), 1 * GiB, OverQuotaRule.EvictOldest),
        Purpose.Permanent => new(purpose, true, maxFileSize, null, 5 * GiB, OverQuotaRule.Reject),
        _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, null),
    };
}
