using Microsoft.Extensions.Options;
using XmppUpload.Xmpp.Configuration;

namespace XmppUpload.Xmpp.Component;

/// <summary>
/// Capped exponential backoff with full jitter: before attempt n (after n failures) wait a uniformly random time in
/// [0, min(max, initial * 2^(n-1))], so that many nodes cut off together do not reconnect together.
/// </summary>
internal sealed class ReconnectBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly Func<double> _random;

    public ReconnectBackoff(IOptions<XmppOptions> options)
        : this(options.Value.ReconnectDelay, options.Value.MaxReconnectDelay, Random.Shared.NextDouble)
    {
    }

    /// <param name="random">Returns a value in [0, 1]; tests pass a constant to make delays exact.</param>
    internal ReconnectBackoff(TimeSpan initial, TimeSpan max, Func<double> random)
    {
        _initial = initial;
        _max = max;
        _random = random;
    }

    /// <summary>The ceiling of the delay after <paramref name="failures"/> consecutive failures (at least 1).</summary>
    public TimeSpan Ceiling(int failures)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        var exponent = Math.Min(failures - 1, 30);
        var ticks = Math.Min((double)_initial.Ticks * Math.Pow(2, exponent), _max.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    public TimeSpan Delay(int failures)
    {
        var sample = Math.Clamp(_random(), 0, 1);
        return TimeSpan.FromTicks((long)(Ceiling(failures).Ticks * sample));
    }
}
