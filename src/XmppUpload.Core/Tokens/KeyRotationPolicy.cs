namespace XmppUpload.Core.Tokens;

/// <summary>The two durations a key rotation needs; both are rounded up to whole milliseconds, as the ledgers store times.</summary>
public sealed record KeyRotationPolicy
{
    public KeyRotationPolicy(TimeSpan activationDelay, TimeSpan maxTokenLifetime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(activationDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxTokenLifetime, TimeSpan.Zero);
        ActivationDelay = RoundUpToMilliseconds(activationDelay);
        MaxTokenLifetime = RoundUpToMilliseconds(maxTokenLifetime);
    }

    /// <summary>How long after a rotation the new key starts signing: a bound on how long every node takes to load it.</summary>
    public TimeSpan ActivationDelay { get; }

    /// <summary>The longest a PUT token can stay valid after it is signed.</summary>
    public TimeSpan MaxTokenLifetime { get; }

    /// <summary>
    /// The policy of nodes that reload their keys every <paramref name="reloadInterval"/>: a new key activates after
    /// two intervals, so that a node whose reload fails once still loads it in time.
    /// </summary>
    public static KeyRotationPolicy ForReloadInterval(TimeSpan reloadInterval, TimeSpan maxTokenLifetime) =>
        new(reloadInterval * 2, maxTokenLifetime);

    private static TimeSpan RoundUpToMilliseconds(TimeSpan value) =>
        TimeSpan.FromTicks((value.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond);
}
