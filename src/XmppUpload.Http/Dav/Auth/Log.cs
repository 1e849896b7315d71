using Microsoft.Extensions.Logging;
using XmppUpload.Core.Addressing;

namespace XmppUpload.Http.Dav.Auth;

/// <summary>Every log message of XEP-0070 WebDAV authentication, with its event id (2301 and up). Transaction ids are redacted.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2301, Level = LogLevel.Debug, Message = "{Method} {Path} challenged: {Reason}")]
    public static partial void Challenged(ILogger logger, string method, string path, string reason);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Debug, Message = "{Method} {Path} refused with {StatusCode}: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string path, int statusCode, string reason);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Information, Message = "{Method} {Path} by {Jid} is not allowed; nobody was prompted")]
    public static partial void Forbidden(ILogger logger, string method, string path, Jid jid);

    [LoggerMessage(EventId = 2304, Level = LogLevel.Debug, Message = "{Jid} reused transaction {TransactionId}, confirmed within the credential lifetime")]
    public static partial void CredentialReused(ILogger logger, Jid jid, string transactionId);

    [LoggerMessage(EventId = 2305, Level = LogLevel.Information, Message = "Asking {Jid} to confirm {Method} {Url} (transaction {TransactionId})")]
    public static partial void Prompting(ILogger logger, Jid jid, string method, Uri url, string transactionId);

    [LoggerMessage(EventId = 2306, Level = LogLevel.Information, Message = "{Jid} answered {Outcome} for transaction {TransactionId}")]
    public static partial void Answered(ILogger logger, Jid jid, string outcome, string transactionId);

    [LoggerMessage(EventId = 2307, Level = LogLevel.Warning,
        Message = "Not prompting {Jid}: {Limit} prompts in the last {Window}; the client may retry in {RetryAfter}")]
    public static partial void PromptRateLimited(ILogger logger, Jid jid, int limit, TimeSpan window, TimeSpan retryAfter);

    [LoggerMessage(EventId = 2308, Level = LogLevel.Error, Message = "The XEP-0070 confirmer failed for {Jid}; the request is answered 503")]
    public static partial void ConfirmerFailed(ILogger logger, Jid jid, Exception exception);

    [LoggerMessage(EventId = 2309, Level = LogLevel.Warning, Message = "Digest nonce count {NonceCount} replayed for {Username}")]
    public static partial void NonceCountReplayed(ILogger logger, string username, string nonceCount);

    [LoggerMessage(EventId = 2310, Level = LogLevel.Warning,
        Message = "The Digest replay table is full ({MaxNonces} live nonces); Digest requests get 503 until nonces expire")]
    public static partial void NonceTableFull(ILogger logger, int maxNonces);

    [LoggerMessage(EventId = 2311, Level = LogLevel.Warning,
        Message = "The answer of {Jid} could not be recorded; the request proceeds, but the next one with the same transaction id asks again")]
    public static partial void AnswerNotRecorded(ILogger logger, Jid jid, Exception exception);

    [LoggerMessage(EventId = 2312, Level = LogLevel.Debug, Message = "Forgot {Count} expired Digest nonce counts and XEP-0070 answers")]
    public static partial void ExpiredStateRemoved(ILogger logger, int count);

    [LoggerMessage(EventId = 2313, Level = LogLevel.Warning, Message = "Expired Digest nonce counts and XEP-0070 answers could not be removed; the next round tries again")]
    public static partial void ExpiredStateNotRemoved(ILogger logger, Exception exception);

    /// <summary>Enough of a transaction id to tell two apart in a log, never enough to reuse it.</summary>
    public static string Redact(string transactionId) =>
        transactionId.Length < 8 ? $"…({transactionId.Length})" : $"{transactionId[..2]}…({transactionId.Length})";
}
