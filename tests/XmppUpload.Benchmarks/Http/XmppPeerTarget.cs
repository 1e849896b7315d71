namespace XmppUpload.Benchmarks.Http;

/// <summary>
/// An XMPP server's own upload module as a target: its upload URLs come from real XEP-0363 slot requests (through a
/// <see cref="SlotFeeder"/>), its stored files are whatever its storage directory holds. Started by
/// <see cref="ProsodyTarget"/> and <see cref="EjabberdTarget"/>.
/// </summary>
internal sealed class XmppPeerTarget(string name, IAsyncDisposable server, SlotFeeder feeder, Func<IEnumerable<string>> storageDirectories, Func<IReadOnlyList<int>> processIds)
    : IHttpTarget
{
    /// <summary>Accounts the feeder logs in: a few sessions, so no server handles every request through one session's queue.</summary>
    public const int Accounts = 4;

    public const string AccountPrefix = "bench";

    public const string Password = "bench-password";

    public string Name { get; } = name;

    public static IReadOnlyDictionary<string, string> Users { get; } =
        Enumerable.Range(0, Accounts).ToDictionary(i => AccountPrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture), _ => Password);

    public async Task<Upload> NewUploadAsync(long size, CancellationToken cancellationToken) =>
        (await feeder.RequestAsync(1, size, cancellationToken))[0];

    public Task<IReadOnlyList<Upload>> NewUploadsAsync(int count, long size, CancellationToken cancellationToken) =>
        feeder.RequestAsync(count, size, cancellationToken);

    public IReadOnlyList<int> ProcessIds() => processIds();

    /// <summary>Deletes the module's stored files behind its back: neither module has a way to do it while it runs.</summary>
    public Task RemoveStoredFilesAsync(CancellationToken cancellationToken)
    {
        foreach (var directory in storageDirectories().Where(Directory.Exists))
        {
            StoredFiles.EmptyDirectory(directory, cancellationToken);
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await feeder.DisposeAsync();
        await server.DisposeAsync();
    }
}
