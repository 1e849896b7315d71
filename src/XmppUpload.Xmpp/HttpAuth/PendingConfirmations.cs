using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.HttpAuth;

namespace XmppUpload.Xmpp.HttpAuth;

/// <summary>
/// XEP-0070 confirmations sent by message and still waiting, by their thread (which is also the message id, so that
/// a bounce that drops the thread still finds its request). An incoming message completes a confirmation only when
/// it comes from the bare JID that was asked (any of its resources) and carries that thread; its content decides the
/// outcome (XEP-0070 section 4.2): the mirrored <c>&lt;confirm/&gt;</c> or a plain "OK" confirms, an error from the
/// user or a "No" denies, an error from the user's server (the message could not be delivered) is unavailable.
/// </summary>
internal sealed class PendingConfirmations
{
    private const string StanzaErrorsNamespace = "urn:ietf:params:xml:ns:xmpp-stanzas";

    // Conditions with which a server bounces a message it could not deliver (RFC 6120 section 8.5 and 8.3.3); a user
    // who denies answers not-authorized (XEP-0070 section 4.2) or at least echoes the confirm element with another one.
    private static readonly HashSet<string> DeliveryFailures = new(StringComparer.Ordinal)
    {
        "service-unavailable",
        "item-not-found",
        "recipient-unavailable",
        "remote-server-not-found",
        "remote-server-timeout",
        "gone",
        "redirect",
        "jid-malformed",
        "resource-constraint",
        "internal-server-error",
        "policy-violation",
    };

    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly ILogger<PendingConfirmations> _logger;

    public PendingConfirmations(ILogger<PendingConfirmations> logger)
    {
        _logger = logger;
    }

    public int Count => _pending.Count;

    /// <summary>A new thread id: 160 random bits, as long as the one XEP-0070 shows, so that nobody can guess it.</summary>
    public static string NewThread() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    /// <summary>Waits for the answer of <paramref name="asked"/> (a bare JID) to the confirmation <paramref name="transactionId"/>.</summary>
    public Task<ConfirmationOutcome> Register(string thread, Jid asked, string transactionId)
    {
        ArgumentNullException.ThrowIfNull(asked);
        var pending = new Pending(asked.Bare, transactionId, new TaskCompletionSource<ConfirmationOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_pending.TryAdd(thread, pending))
        {
            throw new InvalidOperationException($"A confirmation with thread '{thread}' is already waiting for its answer.");
        }

        return pending.Completion.Task;
    }

    public void Remove(string thread) => _pending.TryRemove(thread, out _);

    /// <summary>Completes the confirmation this message answers; false when it answers none (the caller may log it).</summary>
    public bool TryComplete(XElement message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var ns = message.Name.Namespace;
        var isError = (string?)message.Attribute("type") == "error";
        var thread = Trimmed(message.Element(ns + "thread"));
        var key = thread ?? (isError ? (string?)message.Attribute("id") : null);
        if (key is null || !_pending.TryGetValue(key, out var pending))
        {
            return false;
        }

        var fromText = (string?)message.Attribute("from");
        if (!Jid.TryParse(fromText, out var from) || from.Bare != pending.Asked)
        {
            // Only the asked account answers for itself; the thread alone is no proof of who sent the answer.
            Log.ConfirmationAnswerIgnored(_logger, fromText ?? "(no sender)", "it does not come from the JID that was asked");
            return false;
        }

        var confirm = message.Element(HttpAuthNames.Confirm);
        if (confirm is not null && (string?)confirm.Attribute("id") is { } id && !string.Equals(id, pending.TransactionId, StringComparison.Ordinal))
        {
            Log.ConfirmationAnswerIgnored(_logger, fromText!, "its <confirm/> names another transaction");
            return false;
        }

        var (outcome, how) = isError ? Refusal(message, confirm is not null) : Answer(message, confirm is not null);
        if (outcome is null)
        {
            Log.ConfirmationAnswerIgnored(_logger, fromText!, "it neither confirms nor denies (no <confirm/>, and the body is not OK or No)");
            return false;
        }

        if (!_pending.TryRemove(new KeyValuePair<string, Pending>(key, pending)))
        {
            return false;
        }

        Log.ConfirmationAnswerReceived(_logger, fromText!, how, TransactionHint.Of(pending.TransactionId));
        return pending.Completion.TrySetResult(outcome.Value);
    }

    private static (ConfirmationOutcome? Outcome, string How) Answer(XElement message, bool hasConfirm)
    {
        if (hasConfirm)
        {
            return (ConfirmationOutcome.Confirmed, "the mirrored <confirm/>");
        }

        // XEP-0070 section 4.2: a client that does not know the protocol shows the body and the user types the answer.
        var body = Trimmed(message.Element(message.Name.Namespace + "body"));
        if (string.Equals(body, "OK", StringComparison.OrdinalIgnoreCase))
        {
            return (ConfirmationOutcome.Confirmed, "a plain-text OK");
        }

        return string.Equals(body, "No", StringComparison.OrdinalIgnoreCase)
            ? (ConfirmationOutcome.Denied, "a plain-text No")
            : (null, string.Empty);
    }

    private static (ConfirmationOutcome? Outcome, string How) Refusal(XElement message, bool hasConfirm)
    {
        var condition = ErrorCondition(message) ?? "undefined-condition";
        var denied = condition == "not-authorized" || (hasConfirm && !DeliveryFailures.Contains(condition));
        return denied
            ? (ConfirmationOutcome.Denied, "an error " + condition)
            : (ConfirmationOutcome.Unavailable, "a bounce " + condition);
    }

    private static string? ErrorCondition(XElement message)
    {
        var error = message.Element(message.Name.Namespace + "error");

        // The defined condition is the first child other than <text/>; XEP-0070's own example spells its namespace
        // 'urn:ietf:params:xml:xmpp-stanzas', so the name decides, not the namespace.
        return error?.Elements()
            .FirstOrDefault(e => e.Name.LocalName != "text" && (e.Name.NamespaceName == StanzaErrorsNamespace || e.Name.NamespaceName.EndsWith("xmpp-stanzas", StringComparison.Ordinal)))
            ?.Name.LocalName;
    }

    private static string? Trimmed(XElement? element)
    {
        var value = element?.Value.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    private sealed record Pending(Jid Asked, string TransactionId, TaskCompletionSource<ConfirmationOutcome> Completion);
}
