using XmppUpload.Core.Addressing;

namespace XmppUpload.Http.Dav.Auth;

/// <summary>
/// The answers users gave to confirmation prompts, by (JID as given, transaction id), each kept until its own expiry
/// (<c>WebDav:CredentialLifetime</c> after the answer): a confirmed pair lets the request through without asking again
/// (issue 4), a denied pair is refused without asking again. Bounded; when full the expired answers go first, then the
/// oldest, which only means someone is asked again. Not thread-safe: the caller holds its lock.
/// </summary>
internal sealed class ConfirmedCredentialCache(int capacity = ConfirmedCredentialCache.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;

    private readonly Dictionary<(Jid Jid, string TransactionId), Entry> _entries = [];

    public int Count => _entries.Count;

    /// <summary>The answer for this pair if it was given after <paramref name="notBefore"/>.</summary>
    public bool TryGet(Jid jid, string transactionId, DateTimeOffset notBefore, out bool confirmed)
    {
        confirmed = false;
        if (!_entries.TryGetValue((jid, transactionId), out var entry))
        {
            return false;
        }

        if (entry.AnsweredAt <= notBefore)
        {
            _entries.Remove((jid, transactionId));
            return false;
        }

        confirmed = entry.Confirmed;
        return true;
    }

    public void Add(Jid jid, string transactionId, bool confirmed, DateTimeOffset answeredAt, DateTimeOffset expiresAt)
    {
        if (_entries.Count >= capacity && !_entries.ContainsKey((jid, transactionId)))
        {
            MakeRoom(answeredAt);
        }

        _entries[(jid, transactionId)] = new Entry(confirmed, answeredAt, expiresAt);
    }

    /// <summary>Forgets the answers that expired by <paramref name="now"/>; returns how many.</summary>
    public int RemoveExpired(DateTimeOffset now)
    {
        var removed = 0;
        foreach (var (key, entry) in _entries)
        {
            if (entry.ExpiresAt <= now)
            {
                _entries.Remove(key);
                removed++;
            }
        }

        return removed;
    }

    private void MakeRoom(DateTimeOffset now)
    {
        RemoveExpired(now);

        // Still full of live answers: drop the oldest tenth rather than one at a time, so a flood costs O(n) rarely.
        if (_entries.Count >= capacity)
        {
            foreach (var key in _entries.OrderBy(e => e.Value.AnsweredAt).Take(Math.Max(1, capacity / 10)).Select(e => e.Key).ToList())
            {
                _entries.Remove(key);
            }
        }
    }

    private readonly record struct Entry(bool Confirmed, DateTimeOffset AnsweredAt, DateTimeOffset ExpiresAt);
}
