using System.Net;

namespace XmppUpload.Cluster.Tests;

/// <summary>
/// A PUT that sends the first half of its body at once and the rest only when <see cref="Release"/> is called: an
/// upload that is certainly in flight (begun in the ledger, streaming into the object store) while a test takes
/// something away under it.
/// </summary>
internal sealed class HeldUpload
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HeldUpload(SlotOutcome slot, Uri target)
    {
        Slot = slot;
        Target = target;
    }

    public SlotOutcome Slot { get; }

    public Uri Target { get; }

    /// <summary>The PUT's status once it is answered; null when no HTTP answer came (the connection broke).</summary>
    public Task<int?> Answer { get; private set; } = null!;

    /// <summary>Starts the PUT of <paramref name="content"/> for <paramref name="slot"/> to <paramref name="target"/>.</summary>
    public static HeldUpload Start(HttpClient http, SlotOutcome slot, Uri target, byte[] content, CancellationToken cancellationToken)
    {
        var upload = new HeldUpload(slot, target);
        upload.Answer = Uploads.PutAsync(http, target, slot.PutHeaders, new HalvedContent(content, upload._release.Task), cancellationToken);
        return upload;
    }

    /// <summary>Lets the second half of the body go.</summary>
    public void Release() => _release.TrySetResult();

    public override string ToString() => $"held PUT of {Slot.Name} to {Target}";

    private sealed class HalvedContent(byte[] content, Task release) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var half = content.Length / 2;
            await stream.WriteAsync(content.AsMemory(0, half), cancellationToken);
            await stream.FlushAsync(cancellationToken);
            await release.WaitAsync(cancellationToken);
            await stream.WriteAsync(content.AsMemory(half), cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = content.Length;
            return true;
        }
    }
}
