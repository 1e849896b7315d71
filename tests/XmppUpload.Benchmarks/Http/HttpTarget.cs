namespace XmppUpload.Benchmarks.Http;

/// <summary>One server in the side-by-side run: where a PUT of a new file goes, and which processes are its memory.</summary>
internal interface IHttpTarget : IAsyncDisposable
{
    string Name { get; }

    /// <summary>A URL (and the Authorization header value, if the server needs one) that accepts one PUT of <paramref name="size"/> bytes.</summary>
    Task<Upload> NewUploadAsync(long size, CancellationToken cancellationToken);

    /// <summary>
    /// <paramref name="count"/> uploads of <paramref name="size"/> bytes each; a peer that grants slots over XMPP asks
    /// for them in one batch rather than one round trip at a time.
    /// </summary>
    async Task<IReadOnlyList<Upload>> NewUploadsAsync(int count, long size, CancellationToken cancellationToken)
    {
        var uploads = new List<Upload>(count);
        for (var i = 0; i < count; i++)
        {
            uploads.Add(await NewUploadAsync(size, cancellationToken));
        }

        return uploads;
    }

    /// <summary>The server's processes now (nginx: the master and its workers).</summary>
    IReadOnlyList<int> ProcessIds();

    /// <summary>
    /// Removes what the run has stored so far, called after each of the target's turns: a turn stores about 6 GiB, and
    /// a full run of every target would otherwise need more disk than a test machine has. A server without a way to
    /// do it keeps its files until it is disposed.
    /// </summary>
    Task RemoveStoredFilesAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Where one file goes: its absolute URL, the Authorization value to send, or <c>null</c> for none, and for an https
/// URL the PEM file of the CA that signed the server's certificate (clients verify it, as a real client would).
/// </summary>
internal sealed record Upload(Uri Url, string? Authorization, string? CaCertificatePath = null);
