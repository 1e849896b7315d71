using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace XmppUpload.Http.Dav.Auth;

/// <summary>
/// Loads the Digest nonce key while the host starts (in <see cref="StartingAsync"/>, before the web server takes a
/// request) when WebDAV is enabled: a shared secret store that cannot be read stops the start with its error instead
/// of failing requests later. Registered after the storage, whose own start-up step readies the ledger first.
/// </summary>
internal sealed class DavAuthenticationStartup(XmppDavAuthenticator authenticator, IOptions<WebDavOptions> options) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) =>
        options.Value.Enabled ? authenticator.LoadNonceKeyAsync(cancellationToken) : Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
