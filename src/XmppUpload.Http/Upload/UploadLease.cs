using Microsoft.Extensions.Logging;
using XmppUpload.Core.Ports;

namespace XmppUpload.Http.Upload;

/// <summary>
/// One PUT's claim on its slot in the ledger: renews the lease every third of its length while the body streams, says
/// at once when another attempt has taken the slot over (<see cref="Lost"/>), and knows until when the ledger is sure
/// to leave the slot to this attempt (<see cref="HeldUntil"/>), which bounds the blob commit
/// (<see cref="OpenCommitWindow"/>). A renewal that cannot reach the ledger is logged and the upload goes on: the
/// ledger being down also keeps every other node from taking the slot over.
/// </summary>
internal sealed class UploadLease : IAsyncDisposable
{
    private readonly ILedger _ledger;
    private readonly string _slotId;
    private readonly TimeSpan _length;
    private readonly TimeSpan _renewEvery;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _renewing = new(1, 1);
    private readonly Lock _gate = new();
    private readonly Task _renewals;
    private DateTimeOffset _heldUntil;
    private CancellationTokenSource? _commitWindow;
    private bool _disposed;

    public UploadLease(ILedger ledger, string slotId, string attempt, DateTimeOffset leaseUntil, TimeSpan length, TimeProvider time, ILogger logger)
    {
        _ledger = ledger;
        _slotId = slotId;
        Attempt = attempt;
        _heldUntil = leaseUntil;
        _length = length;
        _renewEvery = length / 3;
        _time = time;
        _logger = logger;
        _renewals = RenewPeriodicallyAsync();
    }

    /// <summary>The attempt id the ledger gave this PUT.</summary>
    public string Attempt { get; }

    /// <summary>Cancelled once a renewal found the slot held by another attempt: the PUT must stop and commit nothing.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>The end of the last lease the ledger recorded for this attempt; no other attempt can take the slot before it.</summary>
    public DateTimeOffset HeldUntil
    {
        get
        {
            lock (_gate)
            {
                return _heldUntil;
            }
        }
    }

    /// <summary>
    /// Renews the lease now, retrying while the ledger cannot be reached (within <paramref name="retry"/>'s budget), so
    /// that the blob commit that follows starts with a whole lease ahead of it.
    /// </summary>
    public async Task<LeaseCheck> ConfirmAsync(LedgerRetry retry)
    {
        // A lease the ledger recorded less than a third of its length ago is as good as one confirmed now: no other
        // attempt can take the slot before it ends, and the commit still has two thirds of it. Most uploads end
        // within that time, and a ledger write saved per PUT is most of what a small PUT costs.
        if (!_lost.IsCancellationRequested && HeldUntil - _time.GetUtcNow() >= _length - _renewEvery)
        {
            return LeaseCheck.Held;
        }

        var (answered, held) = await retry.RunAsync(_slotId, "confirming the lease before the commit", RenewOnceAsync);
        return !answered ? LeaseCheck.Unreachable : held ? LeaseCheck.Held : LeaseCheck.Lost;
    }

    /// <summary>
    /// A token that is cancelled when <see cref="HeldUntil"/> passes (renewals that succeed meanwhile move it on), or
    /// when the lease is lost. The blob commit runs under it, so that a commit never starts (file system) or is never
    /// waited for (object stores) once another attempt may hold the slot.
    /// </summary>
    public CancellationToken OpenCommitWindow()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_commitWindow is null)
            {
                var left = _heldUntil - _time.GetUtcNow();
                _commitWindow = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero, _time);
                _lost.Token.Register(static window => ((CancellationTokenSource)window!).Cancel(), _commitWindow);
            }

            return _commitWindow.Token;
        }
    }

    /// <summary>Stops renewing, and waits for a renewal in flight, so that no renewal runs after the ledger is told the outcome.</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _renewals;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        lock (_gate)
        {
            _disposed = true;
            _commitWindow?.Dispose();
        }

        _lost.Dispose();
        _stop.Dispose();
        _renewing.Dispose();
    }

    private async Task RenewPeriodicallyAsync()
    {
        using var timer = new PeriodicTimer(_renewEvery, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                // Bounded by the period, so that a connection that hangs does not hold back the next renewal.
                using var timeout = new CancellationTokenSource(_renewEvery, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, timeout.Token);
                try
                {
                    if (!await RenewOnceAsync(linked.Token))
                    {
                        return;
                    }
                }
                catch (Exception exception) when (LedgerFailures.IsUnavailable(exception)
                    || (exception is OperationCanceledException && timeout.IsCancellationRequested && !_stop.IsCancellationRequested))
                {
                    Log.LeaseRenewalFailed(_logger, _slotId, HeldUntil, exception);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped: the PUT is recording or refusing its upload.
        }
    }

    /// <summary>One renewal; true while this attempt holds the slot. Throws when the ledger cannot be reached.</summary>
    private async Task<bool> RenewOnceAsync(CancellationToken cancellationToken)
    {
        await _renewing.WaitAsync(cancellationToken);
        try
        {
            if (_lost.IsCancellationRequested)
            {
                return false;
            }

            // The ledger records now + length however long the call takes, and keeps whole milliseconds (rounding down):
            // rounded the same way here, this end is never later than the one the ledger holds.
            var until = DateTimeOffset.FromUnixTimeMilliseconds((_time.GetUtcNow() + _length).ToUnixTimeMilliseconds());
            if (!await _ledger.TryRenewUploadAsync(_slotId, Attempt, until, cancellationToken))
            {
                Log.LeaseLost(_logger, _slotId);
                await _lost.CancelAsync();
                return false;
            }

            lock (_gate)
            {
                if (until > _heldUntil)
                {
                    _heldUntil = until;
                    if (_commitWindow is { IsCancellationRequested: false } window)
                    {
                        var left = until - _time.GetUtcNow();
                        window.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
                    }
                }
            }

            return true;
        }
        finally
        {
            _renewing.Release();
        }
    }
}
