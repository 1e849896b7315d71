namespace XmppUpload.Core.Accounts;

/// <summary>A stored file as the quota rules see it: what evicting it would free, and since when it is stored.</summary>
public sealed record StoredFileRef(string SlotId, long Size, DateTimeOffset StoredAt);
