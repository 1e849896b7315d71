namespace XmppUpload.Cluster.Tests;

/// <summary>
/// Waits for a state that a real process reaches on its own (a row in PostgreSQL, a node answering ready) and that
/// offers no notification: the state is read again on a short, growing backoff until it holds or the timeout passes.
/// The timeout bounds a failure; a passing test waits only as long as the process takes.
/// </summary>
internal static class StateWait
{
    public static async Task UntilAsync(string what, Func<CancellationToken, Task<bool>> reached, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var delay = TimeSpan.FromMilliseconds(20);
        try
        {
            while (!await reached(deadline.Token))
            {
                await Task.Delay(delay, deadline.Token);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(250).Ticks));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Not reached within {timeout}: {what}.");
        }
    }
}
