using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using XmppUpload.Core.HttpAuth;

namespace XmppUpload.Http.Dav.Auth;

/// <summary>Registers XEP-0070 authentication for the WebDAV endpoint.</summary>
public static class DavAuthenticationServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="XmppDavAuthenticator"/> as the singleton <see cref="IDavAuthenticator"/> (it holds the prompts in
    /// flight and the prompt counts of this process), a start-up step that loads its Digest nonce key, a periodic
    /// cleanup of expired nonce counts and answers, the in-memory <see cref="IHttpAuthStateStore"/> unless a shared one
    /// is registered (a cluster's ledger registers its own), and the system <see cref="TimeProvider"/> unless one is
    /// registered. The host provides <see cref="IHttpAuthConfirmer"/>, the <see cref="Core.Ports.ISharedSecretStore"/>
    /// that holds the nonce key (the ledger), the <see cref="WebDavOptions"/> and logging.
    /// </summary>
    public static IServiceCollection AddDavAuthentication(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<WebDavOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IHttpAuthStateStore>(provider => new MemoryHttpAuthStateStore(provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<XmppDavAuthenticator>();
        services.TryAddSingleton<IDavAuthenticator>(provider => provider.GetRequiredService<XmppDavAuthenticator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DavAuthenticationStartup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DavAuthStateCleanupService>());
        return services;
    }
}
