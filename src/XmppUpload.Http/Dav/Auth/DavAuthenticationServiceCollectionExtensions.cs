using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace XmppUpload.Http.Dav.Auth;

/// <summary>Registers XEP-0070 authentication for the WebDAV endpoint.</summary>
public static class DavAuthenticationServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="XmppDavAuthenticator"/> as the singleton <see cref="IDavAuthenticator"/> (it holds the nonce key,
    /// the confirmed credentials and the prompt counts of this process) and the system <see cref="TimeProvider"/> unless
    /// one is registered. The host provides <see cref="Core.HttpAuth.IHttpAuthConfirmer"/>, the <see cref="WebDavOptions"/>
    /// and logging.
    /// </summary>
    public static IServiceCollection AddDavAuthentication(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<WebDavOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IDavAuthenticator, XmppDavAuthenticator>();
        return services;
    }
}
