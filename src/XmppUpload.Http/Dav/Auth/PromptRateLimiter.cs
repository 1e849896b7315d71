using XmppUpload.Core.Addressing;

namespace XmppUpload.Http.Dav.Auth;

/// <summary>
/// At most <c>limit</c> confirmation prompts per bare JID in any sliding <c>window</c> (XEP-0070 section 7: prompt
/// bombing and authentication fatigue). When it cannot remember another JID it refuses the prompt: failing closed
/// protects users; the client is told when to retry. Not thread-safe: the caller holds its lock.
/// </summary>
internal sealed class PromptRateLimiter(int limit, TimeSpan window, int capacity = PromptRateLimiter.DefaultCapacity)
{
    public const int DefaultCapacity = 100_000;

    private readonly Dictionary<Jid, Queue<DateTimeOffset>> _prompts = [];

    /// <summary>Takes a prompt for <paramref name="bareJid"/>, or says how long until one is free.</summary>
    public bool TryAcquire(Jid bareJid, DateTimeOffset now, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!_prompts.TryGetValue(bareJid, out var sent))
        {
            if (_prompts.Count >= capacity)
            {
                Sweep(now);
            }

            if (_prompts.Count >= capacity || limit <= 0)
            {
                retryAfter = window;
                return false;
            }

            sent = new Queue<DateTimeOffset>(Math.Min(limit, 16));
            _prompts.Add(bareJid, sent);
        }

        while (sent.Count > 0 && sent.Peek() <= now - window)
        {
            sent.Dequeue();
        }

        if (sent.Count >= limit)
        {
            retryAfter = sent.Peek() + window - now;
            return false;
        }

        sent.Enqueue(now);
        return true;
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (jid, sent) in _prompts)
        {
            if (sent.Count == 0 || sent.Last() <= now - window)
            {
                _prompts.Remove(jid);
            }
        }
    }
}
