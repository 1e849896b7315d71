using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Xml.Linq;
using XmppUpload.Core.Addressing;

namespace XmppUpload.Xmpp.Component;

/// <summary>
/// IQs this service sent and still waits for, by id. A response completes its request only when it comes from the
/// address the request went to (RFC 6120 section 8.2.3), so no other entity can answer in its name. Requests outlive
/// a reconnect: the server routes a late response to whichever stream the component has then.
/// </summary>
internal sealed class PendingIqs
{
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    public int Count => _pending.Count;

    public static string NewId() => "xu-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public Task<XElement> Register(string id, string? to)
    {
        var pending = new Pending(to, new TaskCompletionSource<XElement>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_pending.TryAdd(id, pending))
        {
            throw new InvalidOperationException($"An IQ with id '{id}' is already waiting for its response.");
        }

        return pending.Completion.Task;
    }

    public void Remove(string id) => _pending.TryRemove(id, out _);

    /// <summary>Completes the request this IQ result or error answers; false when it answers none.</summary>
    public bool TryComplete(XElement response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var id = (string?)response.Attribute("id");
        if (id is null || !_pending.TryGetValue(id, out var pending) || !SameAddress(pending.To, (string?)response.Attribute("from")))
        {
            return false;
        }

        _pending.TryRemove(new KeyValuePair<string, Pending>(id, pending));
        return pending.Completion.TrySetResult(response);
    }

    private static bool SameAddress(string? expected, string? actual)
    {
        if (expected is null)
        {
            return true;
        }

        if (actual is null)
        {
            return false;
        }

        return Jid.TryParse(expected, out var a) && Jid.TryParse(actual, out var b)
            ? a == b
            : string.Equals(expected, actual, StringComparison.Ordinal);
    }

    private sealed record Pending(string? To, TaskCompletionSource<XElement> Completion);
}
