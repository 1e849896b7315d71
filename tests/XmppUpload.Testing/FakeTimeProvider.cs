namespace XmppUpload.Testing;

/// <summary>A clock that moves only when a test advances it; timers fire as it passes their due time.</summary>
public sealed class FakeTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<FakeTimer> _timers = [];
    private readonly List<(DateTimeOffset DueAt, int Count, TaskCompletionSource Scheduled)> _timerWaiters = [];
    private DateTimeOffset _now;

    public FakeTimeProvider()
        : this(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero))
    {
    }

    public FakeTimeProvider(DateTimeOffset start) => _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        List<FakeTimer> due;
        lock (_gate)
        {
            _now += by;
            due = [.. _timers.Where(t => t.DueAt <= _now)];
        }

        foreach (var timer in due)
        {
            timer.Fire();
        }
    }

    public void SetUtcNow(DateTimeOffset value)
    {
        var current = GetUtcNow();
        if (value > current)
        {
            Advance(value - current);
        }
    }

    /// <summary>
    /// Completes once <paramref name="count"/> timers are scheduled to fire at <paramref name="dueAt"/> (at once if they
    /// are): code that waits on this clock in the background (a retry's backoff, a periodic reload started by a host's
    /// background service) has reached its wait, so advancing the clock now wakes it.
    /// </summary>
    public Task WaitForTimerAsync(DateTimeOffset dueAt, int count = 1)
    {
        lock (_gate)
        {
            if (_timers.Count(t => t.DueAt == dueAt) >= count)
            {
                return Task.CompletedTask;
            }

            var scheduled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _timerWaiters.Add((dueAt, count, scheduled));
            return scheduled.Task;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FakeTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    // Called under _gate; the waiters continue asynchronously.
    private void ReleaseTimerWaiters(DateTimeOffset dueAt)
    {
        for (var i = _timerWaiters.Count - 1; i >= 0; i--)
        {
            if (_timerWaiters[i].DueAt == dueAt && _timers.Count(t => t.DueAt == dueAt) >= _timerWaiters[i].Count)
            {
                _timerWaiters[i].Scheduled.TrySetResult();
                _timerWaiters.RemoveAt(i);
            }
        }
    }

    private sealed class FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public DateTimeOffset DueAt { get; private set; } = DateTimeOffset.MaxValue;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
                _period = period;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    DueAt = DateTimeOffset.MaxValue;
                    return true;
                }

                DueAt = owner._now + dueTime;
                owner._timers.Add(this);
                owner.ReleaseTimerWaiters(DueAt);
            }

            if (dueTime == TimeSpan.Zero)
            {
                Fire();
            }

            return true;
        }

        public void Fire()
        {
            lock (owner._gate)
            {
                if (!owner._timers.Contains(this) || DueAt > owner._now)
                {
                    return;
                }

                owner._timers.Remove(this);
                if (_period != Timeout.InfiniteTimeSpan && _period > TimeSpan.Zero)
                {
                    DueAt += _period;
                    owner._timers.Add(this);
                }
            }

            callback(state);
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
