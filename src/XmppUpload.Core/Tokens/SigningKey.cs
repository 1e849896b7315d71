namespace XmppUpload.Core.Tokens;

/// <summary>A secret that signs PUT tokens; the newest key signs, every kept key verifies.</summary>
public sealed record SigningKey(string Id, byte[] Secret, DateTimeOffset CreatedAt)
{
    public const int SecretLength = 32;
}
