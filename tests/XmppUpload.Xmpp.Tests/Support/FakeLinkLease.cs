using XmppUpload.Core.Ports;

namespace XmppUpload.Xmpp.Tests.Support;

/// <summary>A lease granted by <see cref="FakeLinkLeases"/>: the test loses it at will and sees when it is released.</summary>
internal sealed class FakeLinkLease(string name) : ILinkLease
{
    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(20);

    private readonly CancellationTokenSource _lost = new();
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => name;

    public CancellationToken Lost => _lost.Token;

    public bool IsReleased => _released.Task.IsCompleted;

    /// <summary>Completes when the holder releases the lease; fails after a generous safety timeout.</summary>
    public Task Released => _released.Task.WaitAsync(SafetyTimeout);

    /// <summary>Called when the holder releases the lease, before <see cref="Released"/> completes: to see what held then.</summary>
    public Action? WhenReleased { get; set; }

    public void Lose() => _lost.Cancel();

    public ValueTask DisposeAsync()
    {
        WhenReleased?.Invoke();
        _released.TrySetResult();
        return ValueTask.CompletedTask;
    }
}
