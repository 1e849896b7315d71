using XmppUpload.Core.Ports;
using XmppUpload.Core.Tokens;

namespace XmppUpload.Node.Hosting;

/// <summary>
/// The PUT-token keys of this node when the ledger keeps them: loaded (or created) at start, reloaded every
/// <c>Tokens:KeyReloadInterval</c> by <see cref="SigningKeyLoader"/>, and reloaded early when a token names a key this
/// node does not hold, at most once per <see cref="UnknownKeyReloadSpacing"/>. A reload that fails keeps the keys held.
/// </summary>
internal sealed partial class SigningKeyRing : ISigningKeyProvider
{
    /// <summary>
    /// The least time between two reloads caused by unknown key ids: anyone can send a token with a made-up key id, and a
    /// flood of them must not become a flood of ledger reads. Rotation never needs this path (a new key signs only after
    /// every node has loaded it); it covers a node whose periodic reloads failed or whose clock lags.
    /// </summary>
    public static readonly TimeSpan UnknownKeyReloadSpacing = TimeSpan.FromSeconds(10);

    private readonly ISigningKeyStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private volatile IReadOnlyList<SigningKey> _keys = [];
    private Task? _unknownKeyReload;
    private DateTimeOffset? _lastUnknownKeyReloadAt;
    private int _failedReloads;

    public SigningKeyRing(ISigningKeyStore store, TimeProvider time, ILogger<SigningKeyRing> logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
    }

    public IReadOnlyList<SigningKey> Keys => _keys;

    /// <summary>The first load, at start: creates the first key if the ledger has none, and throws if it cannot be read.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken) =>
        Replace(await _store.GetOrCreateKeysAsync(_time, cancellationToken));

    /// <summary>
    /// Reads the keys again and holds what the ledger returns. When that fails (the ledger is down) the keys held so far
    /// stay in use, which is safe: a rotated key signs only later, and a retired one stops verifying by its own
    /// <see cref="SigningKey.RetiresAt"/>. The first failure of a streak is logged, and the recovery; the rest are not.
    /// </summary>
    /// <returns>Whether the keys were read.</returns>
    public async Task<bool> ReloadAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<SigningKey> keys;
        try
        {
            keys = await _store.GetKeysAsync(_time, cancellationToken);
            if (keys.Count == 0)
            {
                throw new InvalidOperationException("The ledger holds no signing key.");
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever the ledger throws (a refused connection, a timeout, a locked file) is the ledger being unavailable.
            if (Interlocked.Increment(ref _failedReloads) == 1)
            {
                LogReloadFailed(_logger, _keys.Count, exception);
            }

            return false;
        }

        var failed = Interlocked.Exchange(ref _failedReloads, 0);
        if (failed > 0)
        {
            LogReloadRecovered(_logger, failed);
        }

        Replace(keys);
        LogReloaded(_logger, keys.Count);
        return true;
    }

    public async ValueTask<bool> TryLoadUnknownKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        Task reload;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_unknownKeyReload is { IsCompleted: false } running)
            {
                // Tokens arriving while a reload runs wait for it rather than start another.
                reload = running;
            }
            else if (_lastUnknownKeyReloadAt is { } last && now - last < UnknownKeyReloadSpacing)
            {
                LogUnknownKeyNotReloaded(_logger, keyId);
                return Holds(keyId);
            }
            else
            {
                _lastUnknownKeyReloadAt = now;
                LogUnknownKeyReload(_logger, keyId);
                // Not tied to the request that asked: others may wait for it too, and one client going away must not cancel it.
                reload = _unknownKeyReload = Task.Run(() => ReloadAsync(CancellationToken.None), CancellationToken.None);
            }
        }

        await reload.WaitAsync(cancellationToken);
        return Holds(keyId);
    }

    private bool Holds(string keyId) => SigningKeySchedule.Find(_keys, keyId) is not null;

    private void Replace(IReadOnlyList<SigningKey> keys)
    {
        var before = _keys;
        _keys = keys;
        if (!Same(before, keys))
        {
            var signer = SigningKeySchedule.SignerAt(keys, _time.GetUtcNow());
            LogKeysChanged(_logger, string.Join(", ", keys.Select(k => k.Id)), signer?.Id ?? "none");
        }
    }

    private static bool Same(IReadOnlyList<SigningKey> a, IReadOnlyList<SigningKey> b) =>
        a.Count == b.Count
        && a.Zip(b).All(pair => pair.First.Id == pair.Second.Id
            && pair.First.ActivatesAt == pair.Second.ActivatesAt
            && pair.First.RetiresAt == pair.Second.RetiresAt);

    [LoggerMessage(EventId = 4020, Level = LogLevel.Information, Message = "Signing keys in force: {KeyIds}; {SignerId} signs now")]
    private static partial void LogKeysChanged(ILogger logger, string keyIds, string signerId);

    [LoggerMessage(EventId = 4026, Level = LogLevel.Debug, Message = "Reloaded {Count} signing keys from the ledger")]
    private static partial void LogReloaded(ILogger logger, int count);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Warning, Message = "Could not reload the signing keys from the ledger; the {Count} keys held stay in use, and this is logged again only after a reload succeeds")]
    private static partial void LogReloadFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 4022, Level = LogLevel.Information, Message = "Reloaded the signing keys from the ledger after {Failed} failed attempts")]
    private static partial void LogReloadRecovered(ILogger logger, int failed);

    [LoggerMessage(EventId = 4023, Level = LogLevel.Information, Message = "A token names signing key {KeyId}, which this node does not hold: reloading the keys")]
    private static partial void LogUnknownKeyReload(ILogger logger, string keyId);

    [LoggerMessage(EventId = 4024, Level = LogLevel.Debug, Message = "A token names signing key {KeyId}, which this node does not hold; the keys were reloaded for an unknown key moments ago")]
    private static partial void LogUnknownKeyNotReloaded(ILogger logger, string keyId);
}
