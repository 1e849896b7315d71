using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Accounts;

/// <summary>One bucket of one account: what it stores and reserves.</summary>
public sealed record BucketUsage(Purpose Purpose, long StoredBytes, int StoredFiles, long ReservedBytes);
