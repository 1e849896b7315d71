using Microsoft.Extensions.Logging;

namespace XmppUpload.Storage;

/// <summary>Every log message of XmppUpload.Storage; event ids 3000-3099 belong to this assembly.</summary>
internal static partial class Log
{
    [LoggerMessage(3001, LogLevel.Information, "Ledger {DatabasePath} migrated to schema version {Version}")]
    public static partial void MigrationApplied(ILogger logger, string databasePath, int version);

    [LoggerMessage(3002, LogLevel.Warning, "Ledger {DatabasePath} runs in journal mode {JournalMode}, not WAL; readers and the writer will block each other (is it on a network file system?)")]
    public static partial void NotInWalMode(ILogger logger, string databasePath, string journalMode);

    [LoggerMessage(3003, LogLevel.Information, "Created signing key {KeyId}")]
    public static partial void SigningKeyCreated(ILogger logger, string keyId);

    [LoggerMessage(3004, LogLevel.Warning, "{Count} uploads were interrupted by the last shutdown; their slots accept a PUT again until their deadline")]
    public static partial void InterruptedUploadsReset(ILogger logger, int count);

    [LoggerMessage(3005, LogLevel.Information, "Created the shared secret {Name}")]
    public static partial void SharedSecretCreated(ILogger logger, string name);

    [LoggerMessage(3010, LogLevel.Warning, "Could not remove the staged file {StagedPath}; it will be removed at the next start")]
    public static partial void StagedFileNotRemoved(ILogger logger, string stagedPath, Exception exception);

    [LoggerMessage(3011, LogLevel.Information, "Removed {Count} staged files left by an earlier run")]
    public static partial void StagedFilesRemoved(ILogger logger, int count);

    [LoggerMessage(3020, LogLevel.Information, "Embedded storage ready in {StoragePath}")]
    public static partial void EmbeddedStorageReady(ILogger logger, string storagePath);
}
