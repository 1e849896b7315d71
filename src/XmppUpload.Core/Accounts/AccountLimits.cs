using XmppUpload.Core.Configuration;

namespace XmppUpload.Core.Accounts;

/// <summary>The limits one slot request is held to: its bucket, the account's rate window and the global quota.</summary>
public sealed record AccountLimits(BucketPolicy Bucket, int RequestsPerWindow, TimeSpan Window, long? GlobalQuota)
{
    public static AccountLimits From(UploadOptions options, BucketPolicy bucket)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new AccountLimits(bucket, options.RateLimit.Requests, options.RateLimit.Window, options.GlobalQuota);
    }
}
