using Microsoft.Extensions.Logging;

namespace XmppUpload.Http.Upload;

/// <summary>
/// Runs a ledger call of a PUT until the ledger answers, for at most <see cref="Budget"/>: a failure that means the
/// ledger is unreachable (<see cref="LedgerFailures"/>) is retried after a delay that doubles from
/// <see cref="FirstDelay"/> up to <see cref="MaxDelay"/>, on the <see cref="TimeProvider"/>. Each call gets a token
/// that ends with the budget, so a connection that hangs cannot hold the PUT past it.
/// </summary>
internal sealed class LedgerRetry(TimeProvider time, ILogger logger)
{
    /// <summary>Long enough for a PostgreSQL restart or a fail-over; short enough for a client still waiting for its answer.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);

    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(4);

    /// <summary>The ledger's answer, or <c>Answered = false</c> if it could not be reached for the whole budget.</summary>
    public async Task<(bool Answered, T Value)> RunAsync<T>(string slotId, string step, Func<CancellationToken, Task<T>> call)
    {
        var giveUpAt = time.GetUtcNow() + Budget;
        using var budget = new CancellationTokenSource(Budget, time);
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (true, await call(budget.Token));
            }
            catch (Exception exception) when (LedgerFailures.IsUnavailable(exception)
                || (exception is OperationCanceledException && budget.IsCancellationRequested))
            {
                var left = giveUpAt - time.GetUtcNow();
                if (left <= TimeSpan.Zero)
                {
                    Log.LedgerGaveUp(logger, slotId, step, attempt, Budget, exception);
                    return (false, default!);
                }

                var wait = delay < left ? delay : left;
                Log.LedgerRetrying(logger, slotId, step, attempt, wait, exception);
                await Task.Delay(wait, time, CancellationToken.None);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
    }
}
