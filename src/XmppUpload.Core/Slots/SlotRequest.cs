namespace XmppUpload.Core.Slots;

/// <summary>A validated XEP-0363 slot request (section 5), with its purpose (section "Upload purpose").</summary>
public sealed record SlotRequest(string FileName, long Size, string? ContentType, Purpose Purpose, DateTimeOffset? ExpireBefore);
