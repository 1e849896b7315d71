using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Accounts;

/// <summary>One bucket of one account against its limits, as users and operators are shown it.</summary>
public sealed record BucketReport(Purpose Purpose, bool Enabled, long StoredBytes, int StoredFiles, long ReservedBytes, long Quota, TimeSpan? Retention, OverQuotaRule OverQuota);
