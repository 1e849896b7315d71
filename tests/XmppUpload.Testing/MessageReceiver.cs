namespace XmppUpload.Testing;

/// <summary>A logged-in slixmpp client waiting for one message (<c>upload.py receive</c>); disposing ends it.</summary>
public sealed class MessageReceiver : IAsyncDisposable
{
    private readonly ExternalProcess _process;
    private readonly TimeSpan _timeout;

    internal MessageReceiver(ExternalProcess process, TimeSpan timeout)
    {
        _process = process;
        _timeout = timeout;
    }

    /// <summary>Waits for the client to report the message (or its failure) and exit.</summary>
    public async Task<ClientRunResult> WaitAsync(CancellationToken cancellationToken = default)
    {
        var exitCode = await _process.WaitForExitAsync(_timeout, cancellationToken);
        await _process.OutputClosed.WaitAsync(_timeout, cancellationToken);
        return new ClientRunResult(SlixmppClient.UploadScript, exitCode, _process.StandardOutput, _process.StandardError);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
