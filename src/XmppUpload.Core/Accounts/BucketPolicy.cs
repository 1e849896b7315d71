using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Accounts;

/// <summary>The resolved limits of one purpose bucket.</summary>
/// <param name="Retention">How long a stored file is served; <c>null</c> keeps it until deleted.</param>
public sealed record BucketPolicy(Purpose Purpose, bool Enabled, long MaxFileSize, TimeSpan? Retention, long Quota, OverQuotaRule OverQuota);
