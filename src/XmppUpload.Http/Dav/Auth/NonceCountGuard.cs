using XmppUpload.Core.HttpAuth;

namespace XmppUpload.Http.Dav.Auth;

/// <summary>
/// Remembers in this process which nonce-count values each nonce has been used with, for as long as the nonce is
/// accepted, so a captured Digest header cannot be replayed (RFC 7616 section 5.2). Any order of nc is accepted, since
/// parallel requests of one client may arrive out of order; a repeated one is not. Thread-safe.
/// </summary>
internal sealed class NonceCountGuard(TimeProvider timeProvider, int maxNonces = NonceCountGuard.DefaultMaxNonces)
{
    public const int DefaultMaxNonces = 100_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _nonces = new(StringComparer.Ordinal);
    private DateTimeOffset _nextSweep = DateTimeOffset.MinValue;

    public NonceCountUse TryUse(string nonce, uint nonceCount, DateTimeOffset nonceExpiresAt, int maxUsesPerNonce)
    {
        var now = timeProvider.GetUtcNow();
        lock (_gate)
        {
            if (!_nonces.TryGetValue(nonce, out var entry))
            {
                if (_nonces.Count >= maxNonces || now >= _nextSweep)
                {
                    Sweep(now);
                }

                if (_nonces.Count >= maxNonces)
                {
                    return NonceCountUse.Full;
                }

                entry = new Entry(nonceExpiresAt);
                _nonces.Add(nonce, entry);
            }

            if (entry.Counts.Contains(nonceCount))
            {
                return NonceCountUse.Replayed;
            }

            if (entry.Counts.Count >= maxUsesPerNonce)
            {
                return NonceCountUse.NonceExhausted;
            }

            entry.Counts.Add(nonceCount);
            return NonceCountUse.Fresh;
        }
    }

    /// <summary>Forgets the nonces that expired by <paramref name="now"/>; returns how many.</summary>
    public int RemoveExpired(DateTimeOffset now)
    {
        lock (_gate)
        {
            return Sweep(now);
        }
    }

    private int Sweep(DateTimeOffset now)
    {
        var removed = 0;
        foreach (var (nonce, entry) in _nonces)
        {
            if (entry.ExpiresAt <= now)
            {
                _nonces.Remove(nonce);
                removed++;
            }
        }

        _nextSweep = now + TimeSpan.FromSeconds(30);
        return removed;
    }

    private sealed class Entry(DateTimeOffset expiresAt)
    {
        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public HashSet<uint> Counts { get; } = [];
    }
}
