using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Accounts;

/// <summary>Files stored in one purpose bucket over every account, and their bytes.</summary>
public sealed record BucketTotal(Purpose Purpose, long Files, long Bytes);
