using System.Globalization;
using System.Text.Json.Serialization;

namespace XmppUpload.Node.Admin;

// The shapes the verbs print with --json. They are the verbs' contract with operators' scripts: names are camelCase
// and stay stable, sizes and counts are numbers, instants are UTC ISO-8601 strings, absent values are null (never left out).

/// <summary><c>usage --json</c>.</summary>
internal sealed record UsageJson(string Account, string At, IReadOnlyList<BucketJson> Buckets);

/// <summary>One purpose bucket of <see cref="UsageJson"/>; <c>retentionSeconds</c> is null for files kept until removed.</summary>
internal sealed record BucketJson(
    string Purpose, bool Enabled, int StoredFiles, long StoredBytes, long ReservedBytes, long QuotaBytes, long? RetentionSeconds, string OverQuota);

/// <summary><c>files --json</c>.</summary>
internal sealed record FilesJson(string Account, IReadOnlyList<FileJson> Files);

/// <summary>One stored file of <see cref="FilesJson"/>; <c>url</c> is null when <c>Http:PublicUrl</c> is not configured.</summary>
internal sealed record FileJson(
    string SlotId, string FileName, long Size, string? ContentType, string Purpose, string? StoredAt, string? ExpiresAt, string? Url);

/// <summary>
/// <c>purge --json</c>: what the account held before, and <c>slotsRemoved</c> (null when the purge was not confirmed
/// and nothing was removed).
/// </summary>
internal sealed record PurgeJson(string Account, bool Confirmed, int StoredFiles, long StoredBytes, long ReservedBytes, int? SlotsRemoved);

/// <summary><c>sweep --json</c>.</summary>
internal sealed record SweepJson(string At, int Expired, int LapsedReservations, int BlobsRemoved, int OrphansRemoved);

/// <summary>
/// <c>keys list --json</c>: where the keys come from (<c>ledger</c>, or <c>configuration</c> for <c>Tokens:SigningKeys</c>)
/// and the keys in force, in order of preference.
/// </summary>
internal sealed record KeysJson(string Source, string At, IReadOnlyList<KeyJson> Keys);

/// <summary>
/// One key of <see cref="KeysJson"/>, never its secret. <c>createdAt</c> is null for a configured key, <c>activatesAt</c>
/// null for one that signs from the start, <c>retiresAt</c> null while no newer key replaces it.
/// </summary>
internal sealed record KeyJson(string Id, string? CreatedAt, string? ActivatesAt, string? RetiresAt, bool Signing);

/// <summary>
/// <c>keys rotate --json</c>: <c>added</c> is false when a rotation was already under way (its key is reported);
/// <c>replacedKeyId</c> and <c>replacedRetiresAt</c> are null when the ledger had no key before.
/// </summary>
internal sealed record KeyRotationJson(bool Added, string KeyId, string ActivatesAt, string? ReplacedKeyId, string? ReplacedRetiresAt);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(UsageJson))]
[JsonSerializable(typeof(FilesJson))]
[JsonSerializable(typeof(PurgeJson))]
[JsonSerializable(typeof(SweepJson))]
[JsonSerializable(typeof(KeysJson))]
[JsonSerializable(typeof(KeyRotationJson))]
internal sealed partial class AdminJsonContext : JsonSerializerContext
{
    /// <summary>UTC ISO-8601 with as many fraction digits as the instant has, e.g. <c>2026-11-22T10:00:00.25Z</c>.</summary>
    public static string? Instant(DateTimeOffset? instant) =>
        instant?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
