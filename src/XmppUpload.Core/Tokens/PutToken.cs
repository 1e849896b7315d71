namespace XmppUpload.Core.Tokens;

/// <summary>What a PUT token grants, readable before its signature is checked (the check covers every field).</summary>
public readonly record struct PutToken(string KeyId, DateTimeOffset ExpiresAt, long Size, string? ContentType);
