using System.Collections.Concurrent;
using XmppUpload.Core.HttpAuth;

namespace XmppUpload.Http.Tests.DavAuth;

/// <summary>
/// An <see cref="IHttpAuthConfirmer"/> that records every request and answers with <see cref="Outcome"/>, or, when
/// <see cref="Hold"/> is set, waits until the test releases it.
/// </summary>
internal sealed class ScriptedConfirmer : IHttpAuthConfirmer
{
    private readonly ConcurrentQueue<ConfirmationRequest> _calls = new();

    public ConfirmationOutcome Outcome { get; set; } = ConfirmationOutcome.Confirmed;

    public TaskCompletionSource<ConfirmationOutcome>? Hold { get; set; }

    public Exception? Failure { get; set; }

    public IReadOnlyList<ConfirmationRequest> Calls => [.. _calls];

    public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<ConfirmationOutcome> ConfirmAsync(ConfirmationRequest request, CancellationToken cancellationToken)
    {
        _calls.Enqueue(request);
        Called.TrySetResult();
        if (Failure is not null)
        {
            throw Failure;
        }

        return Hold is null ? Outcome : await Hold.Task.WaitAsync(cancellationToken);
    }
}
