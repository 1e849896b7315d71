using Microsoft.Extensions.Logging;

namespace XmppUpload.Http;

/// <summary>Every log message of the HTTP endpoints, with its event id.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning,
        Message = "Http:PublicUrl {PublicUrl} uses plain http; XEP-0363 requires https, so this is right only behind a TLS-terminating proxy")]
    public static partial void PlainHttpPublicUrl(ILogger logger, Uri publicUrl);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Upload endpoints mapped at {RoutePattern}")]
    public static partial void EndpointsMapped(ILogger logger, string routePattern);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Debug, Message = "PUT {SlotId} refused with {StatusCode}: {Reason}")]
    public static partial void PutRefused(ILogger logger, string slotId, int statusCode, string reason);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Debug, Message = "PUT {SlotId} started, {Size} bytes")]
    public static partial void UploadStarted(ILogger logger, string slotId, long size);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "PUT {SlotId} stored {Size} bytes")]
    public static partial void UploadStored(ILogger logger, string slotId, long size);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Information,
        Message = "PUT {SlotId} aborted after {Received} of {Size} bytes ({Cause}); the slot is open for another PUT")]
    public static partial void UploadAborted(ILogger logger, string slotId, long received, long size, string cause);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Error, Message = "PUT {SlotId} failed in the blob store or ledger; the slot is open for another PUT")]
    public static partial void UploadFailed(ILogger logger, string slotId, Exception exception);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Warning,
        Message = "PUT {SlotId} committed its bytes but no longer held the slot in the ledger (taken over, or the slot was removed); the upload is not served")]
    public static partial void CompleteRefused(ILogger logger, string slotId);

    [LoggerMessage(EventId = 2016, Level = LogLevel.Error, Message = "PUT {SlotId} could not return the slot to Pending after a failed upload")]
    public static partial void AbortFailed(ILogger logger, string slotId, Exception exception);

    [LoggerMessage(EventId = 2017, Level = LogLevel.Information, Message = "PUT {SlotId} cancelled: the client went away; the slot is open for another PUT")]
    public static partial void UploadCancelled(ILogger logger, string slotId);

    [LoggerMessage(EventId = 2030, Level = LogLevel.Information,
        Message = "PUT {SlotId} took the slot over from an earlier upload whose lease had lapsed (its node or process stopped)")]
    public static partial void UploadTookOver(ILogger logger, string slotId);

    [LoggerMessage(EventId = 2031, Level = LogLevel.Warning,
        Message = "PUT {SlotId} could not renew its lease (the ledger did not answer); the upload goes on, its last lease ends at {HeldUntil}")]
    public static partial void LeaseRenewalFailed(ILogger logger, string slotId, DateTimeOffset heldUntil, Exception exception);

    [LoggerMessage(EventId = 2032, Level = LogLevel.Warning,
        Message = "PUT {SlotId} lost the slot: another upload took it over after this one's lease lapsed; this upload stops and commits nothing")]
    public static partial void LeaseLost(ILogger logger, string slotId);

    [LoggerMessage(EventId = 2033, Level = LogLevel.Warning,
        Message = "PUT {SlotId}: the ledger did not answer while {Step} (try {Attempt}); trying again in {Delay}")]
    public static partial void LedgerRetrying(ILogger logger, string slotId, string step, int attempt, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 2034, Level = LogLevel.Error,
        Message = "PUT {SlotId}: the ledger did not answer while {Step}, {Attempts} tries in {Budget}; the client is told to try again")]
    public static partial void LedgerGaveUp(ILogger logger, string slotId, string step, int attempts, TimeSpan budget, Exception exception);

    [LoggerMessage(EventId = 2035, Level = LogLevel.Error,
        Message = "PUT {SlotId} received all {Received} bytes but could not keep its claim on the slot while the ledger was unreachable; nothing was committed")]
    public static partial void CommitWithheld(ILogger logger, string slotId, long received);

    [LoggerMessage(EventId = 2036, Level = LogLevel.Error, Message = "PUT {SlotId} could not begin: the ledger did not answer")]
    public static partial void BeginFailed(ILogger logger, string slotId, Exception exception);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning, Message = "GET {SlotId}: the ledger has the file stored but the blob store has no blob")]
    public static partial void BlobMissing(ILogger logger, string slotId);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Error,
        Message = "GET {SlotId}: the blob ended {Missing} bytes before its recorded size; the connection was aborted")]
    public static partial void BlobShort(ILogger logger, string slotId, long missing);

    [LoggerMessage(EventId = 2022, Level = LogLevel.Warning, Message = "GET {SlotId} answered 503: the ledger did not answer")]
    public static partial void GetLedgerUnavailable(ILogger logger, string slotId, Exception exception);
}
