using Microsoft.Extensions.Logging;

namespace XmppUpload.Storage.Postgres;

/// <summary>Log messages of the PostgreSQL ledger; event ids 3030-3039 of XmppUpload.Storage's range (see Log.cs).</summary>
internal static partial class PostgresLog
{
    [LoggerMessage(3030, LogLevel.Information, "Ledger {DataSource} migrated to schema version {Version}")]
    public static partial void MigrationApplied(ILogger logger, string dataSource, int version);

    [LoggerMessage(3031, LogLevel.Information, "Created signing key {KeyId}")]
    public static partial void SigningKeyCreated(ILogger logger, string keyId);

    [LoggerMessage(3032, LogLevel.Warning, "{Count} uploads were interrupted by the last shutdown; their slots accept a PUT again until their deadline")]
    public static partial void InterruptedUploadsReset(ILogger logger, int count);

    [LoggerMessage(3033, LogLevel.Information, "PostgreSQL ledger {DataSource} ready at schema version {Version}")]
    public static partial void LedgerReady(ILogger logger, string dataSource, int version);
}
