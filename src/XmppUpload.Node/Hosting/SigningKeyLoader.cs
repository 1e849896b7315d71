using XmppUpload.Core.Ports;

namespace XmppUpload.Node.Hosting;

/// <summary>
/// Loads (or on first start creates) the token keys before any slot is granted or any PUT is checked. It works in
/// <see cref="StartingAsync"/>, which the host runs for every service before any service's StartAsync, so the web
/// server and the component link never see an empty key ring; it is registered after the embedded storage, whose
/// own StartingAsync migrates the ledger first.
/// </summary>
internal sealed class SigningKeyLoader(ISigningKeyStore store, SigningKeyRing ring, TimeProvider time) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken) =>
        ring.Replace(await store.GetOrCreateKeysAsync(time, cancellationToken));

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
