using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Accounts;

/// <summary>One stored file of an account, with the URL it is served at.</summary>
public sealed record AccountFile(string SlotId, string FileName, long Size, string? ContentType, Purpose Purpose, DateTimeOffset? StoredAt, DateTimeOffset? ExpiresAt, Uri GetUrl);
