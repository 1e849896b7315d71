using Microsoft.Extensions.Logging;

namespace XmppUpload.Xmpp;

/// <summary>Every log message of the XMPP component, with its event id (1xxx: link life cycle and its lease, 2xxx: stanzas, 21xx: ad-hoc commands, 22xx: XEP-0070 confirmations; transaction identifiers appear only as a hash).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Connecting to the XMPP server at {Server} as component {Domain}")]
    public static partial void Connecting(ILogger logger, string server, string domain);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Connected to the XMPP server at {Server}: component {Domain} is authenticated")]
    public static partial void Authenticated(ILogger logger, string server, string domain);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "The link to the XMPP server at {Server} is down: {Reason}")]
    public static partial void Disconnected(ILogger logger, string server, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Reconnecting to the XMPP server at {Server} in {DelaySeconds} s (consecutive failures: {Failures})")]
    public static partial void RetryScheduled(ILogger logger, string server, double delaySeconds, int failures);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, Message = "The XMPP server at {Server} refused the handshake of component {Domain}: the secret is wrong. Set Xmpp:Secret to the component secret configured on the server")]
    public static partial void WrongSecret(ILogger logger, string server, string domain);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Error, Message = "The XMPP server at {Server} closed the stream with the error {Condition}: {Text}")]
    public static partial void StreamErrorReceived(ILogger logger, string server, string condition, string text);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "Closed the stream to the XMPP server at {Server} with the error {Condition}: {Text}")]
    public static partial void StreamErrorSent(ILogger logger, string server, string condition, string text);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Could not connect to the XMPP server at {Server}: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string server, string reason);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Information, Message = "Closed the link to the XMPP server at {Server}: the service is stopping")]
    public static partial void Stopped(ILogger logger, string server);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Error, Message = "The link to the XMPP server at {Server} failed unexpectedly")]
    public static partial void LinkFailed(ILogger logger, string server, Exception exception);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "This node holds the component link lease {Lease} and attaches to the XMPP server at {Server}")]
    public static partial void LeaseTaken(ILogger logger, string lease, string server);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "Standby: {Holder} holds the link of component {Domain} to the XMPP server at {Server}; this node takes it over when that node goes away")]
    public static partial void Standby(ILogger logger, string domain, string server, string holder);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Warning, Message = "Lost the component link lease {Lease}: closed the link to the XMPP server at {Server} so that another node may take it")]
    public static partial void LeaseLost(ILogger logger, string lease, string server);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Warning, Message = "Cannot take the component link lease {Lease}: the lease store cannot be reached; trying again every {RetrySeconds} s")]
    public static partial void LeaseUnreachable(ILogger logger, string lease, double retrySeconds, Exception exception);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Information, Message = "Released the component link lease {Lease} after {Failures} failed attempts, so that another node may try to attach")]
    public static partial void LeaseYielded(ILogger logger, string lease, int failures);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Handling the {Payload} IQ {Id} from {From} failed; answered internal-server-error")]
    public static partial void HandlerFailed(ILogger logger, string payload, string id, string from, Exception exception);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "The answer to stanza {Id} for {To} was not sent: {Reason}")]
    public static partial void ResponseNotSent(ILogger logger, string id, string to, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Debug, Message = "Ignored a {Kind} stanza from {From}: {Reason}")]
    public static partial void StanzaIgnored(ILogger logger, string kind, string from, string reason);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Debug, Message = "Ignored an IQ {Type} with id {Id} from {From}: no request of this service waits for it")]
    public static partial void IqResponseUnmatched(ILogger logger, string type, string id, string from);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Cannot answer the IQ {Id}: it has no 'from' address")]
    public static partial void IqWithoutSender(ILogger logger, string id);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Debug, Message = "Answered the IQ {Id} from {From} with {Condition}: {Text}")]
    public static partial void IqRefused(ILogger logger, string id, string from, string condition, string text);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Debug, Message = "Granted slot {SlotId} to {Owner}: {Size} bytes for {Purpose}")]
    public static partial void SlotGranted(ILogger logger, string owner, string slotId, long size, string purpose);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Debug, Message = "Refused a slot to {Requester} with {Condition}: {Text}")]
    public static partial void SlotRefused(ILogger logger, string requester, string condition, string text);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Debug, Message = "Completed the ad-hoc command {Node} for {Requester}")]
    public static partial void CommandCompleted(ILogger logger, string node, string requester);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Debug, Message = "Refused the ad-hoc command {Node} of {Requester} with {Condition}: {Text}")]
    public static partial void CommandRefused(ILogger logger, string node, string requester, string condition, string text);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Could not open a session of the ad-hoc command {Node} for {Requester}: the node holds as many command sessions as it allows")]
    public static partial void CommandSessionsFull(ILogger logger, string node, string requester);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Information, Message = "{Owner} deleted their file {SlotId} through the ad-hoc command")]
    public static partial void FileDeletedByOwner(ILogger logger, string owner, string slotId);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Debug, Message = "Asking {Jid} by {Via} to confirm the HTTP request with transaction {TransactionHint}")]
    public static partial void ConfirmationSent(ILogger logger, string jid, string transactionHint, string via);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "The confirmation of the HTTP {Method} request with transaction {TransactionHint} by {Jid} ended: {Outcome}")]
    public static partial void ConfirmationEnded(ILogger logger, string jid, string transactionHint, string method, XmppUpload.Core.HttpAuth.ConfirmationOutcome outcome);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "Could not ask {Jid} to confirm the HTTP request with transaction {TransactionHint}: {Reason}")]
    public static partial void ConfirmationNotSent(ILogger logger, string jid, string transactionHint, string reason);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Warning, Message = "Did not ask {Jid} to confirm the HTTP request with transaction {TransactionHint}: {Max} confirmations are already waiting for answers")]
    public static partial void ConfirmationsFull(ILogger logger, string jid, string transactionHint, int max);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Debug, Message = "{From} answered the confirmation of transaction {TransactionHint} with {How}")]
    public static partial void ConfirmationAnswerReceived(ILogger logger, string from, string how, string transactionHint);

    [LoggerMessage(EventId = 2206, Level = LogLevel.Debug, Message = "Ignored a message from {From} in the thread of a confirmation: {Reason}")]
    public static partial void ConfirmationAnswerIgnored(ILogger logger, string from, string reason);

    [LoggerMessage(EventId = 2207, Level = LogLevel.Debug, Message = "Did not ask {Jid} to confirm the HTTP request with transaction {TransactionHint}: {Problem}")]
    public static partial void ConfirmationInputRefused(ILogger logger, string jid, string transactionHint, string problem);

    [LoggerMessage(EventId = 2208, Level = LogLevel.Debug, Message = "Forwarded the confirmation of the HTTP request of {Jid} with transaction {TransactionHint} to the node that holds the component link")]
    public static partial void ConfirmationForwarded(ILogger logger, string jid, string transactionHint);

    [LoggerMessage(EventId = 2209, Level = LogLevel.Warning, Message = "No node holding the component link took up the confirmation of {Jid} with transaction {TransactionHint} within {Seconds} s; it is unavailable")]
    public static partial void ConfirmationNotTaken(ILogger logger, string jid, string transactionHint, double seconds);

    [LoggerMessage(EventId = 2210, Level = LogLevel.Warning, Message = "Could not forward the confirmation of {Jid} with transaction {TransactionHint} to the node that holds the component link: {Reason}")]
    public static partial void ConfirmationNotForwarded(ILogger logger, string jid, string transactionHint, string reason);

    [LoggerMessage(EventId = 2211, Level = LogLevel.Debug, Message = "Asking {Jid} to confirm transaction {TransactionHint} for another node")]
    public static partial void ConfirmationServed(ILogger logger, string jid, string transactionHint);

    [LoggerMessage(EventId = 2212, Level = LogLevel.Warning, Message = "Could not send the answer of {Jid} to transaction {TransactionHint} back to the node that asked: {Reason}")]
    public static partial void RelayReplyNotSent(ILogger logger, string jid, string transactionHint, string reason);

    [LoggerMessage(EventId = 2213, Level = LogLevel.Debug, Message = "Ignored a message on the node bus: {Reason}")]
    public static partial void RelayMessageIgnored(ILogger logger, string reason);

    [LoggerMessage(EventId = 2214, Level = LogLevel.Debug, Message = "Listening for XEP-0070 confirmations between nodes on bus channel {Channel}")]
    public static partial void RelayListening(ILogger logger, string channel);
}
