using Microsoft.Extensions.Logging;

namespace XmppUpload.Storage;

/// <summary>Log messages of both ledgers' signing keys; event ids 3050-3059 of XmppUpload.Storage's range (see Log.cs).</summary>
internal static partial class SigningKeyLog
{
    [LoggerMessage(3050, LogLevel.Information, "Signing key {KeyId} added: it signs from {ActivatesAt:O}; key {ReplacedKeyId} signs until then and verifies until {RetiresAt:O}")]
    public static partial void Rotated(ILogger logger, string keyId, DateTimeOffset activatesAt, string replacedKeyId, DateTimeOffset? retiresAt);

    [LoggerMessage(3051, LogLevel.Information, "Signing key {KeyId} retired at {RetiresAt:O} and was deleted")]
    public static partial void Deleted(ILogger logger, string keyId, DateTimeOffset? retiresAt);
}
