using System.Security.Cryptography;

namespace XmppUpload.Xmpp.Commands;

/// <summary>
/// The open command sessions of this node, in memory (a session is short and bound to one client's stream, so it need
/// not survive a restart or move between nodes). Keyed by (full JID, session id), so that another JID, even another
/// resource of the same account, cannot continue a session (XEP-0050 section 5). Bounded in number, overall and per
/// account, and ended after <see cref="Lifetime"/> by the injected clock.
/// </summary>
internal sealed class CommandSessions
{
    public const int DefaultCapacity = 10_000;
    public const int DefaultPerAccount = 4;

    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(10);

    private readonly Dictionary<(string Requester, string Id), CommandSession> _sessions = [];
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly int _perAccount;

    public CommandSessions(TimeProvider time, int capacity = DefaultCapacity, int perAccount = DefaultPerAccount, TimeSpan? lifetime = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(perAccount, 1);
        _time = time;
        _capacity = capacity;
        _perAccount = perAccount;
        Lifetime = lifetime ?? DefaultLifetime;
    }

    public TimeSpan Lifetime { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>
    /// Opens a session for <paramref name="requester"/> (a full JID), or returns <c>null</c> when the node holds
    /// <see cref="DefaultCapacity"/> live sessions. An account at its own limit loses its oldest session instead, so one
    /// account cannot crowd out the others and a user who abandons forms never locks themselves out.
    /// </summary>
    public CommandSession? Open(string requester, string account, string node, IReadOnlyDictionary<string, string> choices)
    {
        var now = _time.GetUtcNow();
        var session = new CommandSession(NewId(), requester, account, node, now + Lifetime, choices);
        lock (_gate)
        {
            RemoveExpired(now);
            var own = _sessions.Values
                .Where(s => string.Equals(s.Account, account, StringComparison.Ordinal))
                .OrderBy(s => s.ExpiresAt)
                .ToList();
            foreach (var oldest in own.Take(Math.Max(0, own.Count - _perAccount + 1)))
            {
                _sessions.Remove((oldest.Requester, oldest.Id));
            }

            if (_sessions.Count >= _capacity)
            {
                return null;
            }

            _sessions[(requester, session.Id)] = session;
            return session;
        }
    }

    public SessionLookup Find(string requester, string id, out CommandSession? session)
    {
        lock (_gate)
        {
            if (!_sessions.TryGetValue((requester, id), out session))
            {
                return SessionLookup.Unknown;
            }

            if (_time.GetUtcNow() >= session.ExpiresAt)
            {
                _sessions.Remove((requester, id));
                session = null;
                return SessionLookup.Expired;
            }

            return SessionLookup.Found;
        }
    }

    public void Close(CommandSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        lock (_gate)
        {
            _sessions.Remove((session.Requester, session.Id));
        }
    }

    private void RemoveExpired(DateTimeOffset now)
    {
        foreach (var key in _sessions.Where(p => now >= p.Value.ExpiresAt).Select(p => p.Key).ToList())
        {
            _sessions.Remove(key);
        }
    }

    // 128 random bits: a session id is unguessable, though the (full JID, id) key is what binds it to the requester.
    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
