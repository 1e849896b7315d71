using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace XmppUpload.Http.Dav;

/// <summary>
/// Registers and maps the XEP-0129 WebDAV endpoint under <c>WebDav:Path</c>. Needs <see cref="Core.Dav.IDavStore"/>,
/// <see cref="Core.Ports.IBlobStore"/> and an <see cref="IDavAuthenticator"/> from the host.
/// </summary>
public static class WebDavEndpoints
{
    /// <summary>Binds <see cref="WebDavOptions"/> to the <c>WebDav</c> section and adds the request handler.</summary>
    public static IServiceCollection AddWebDav(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<WebDavOptions>().BindConfiguration(WebDavOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<Diagnostics.HttpTelemetry>();
        services.TryAddSingleton<DavRequestHandler>();
        return services;
    }

    /// <summary>Maps every method of <c>{WebDav:Path}</c> and below, when <c>WebDav:Enabled</c>.</summary>
    public static IEndpointRouteBuilder MapWebDav(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var options = services.GetRequiredService<IOptions<WebDavOptions>>().Value;
        if (!options.Enabled)
        {
            return endpoints;
        }

        if (services.GetService<IDavAuthenticator>() is null)
        {
            throw new InvalidOperationException("WebDav:Enabled is true but no IDavAuthenticator is registered; add the XEP-0070 authenticator or set WebDav:Enabled to false.");
        }

        var handler = services.GetRequiredService<DavRequestHandler>();
        var prefix = NormalizePrefix(options.Path);
        var bare = prefix.TrimEnd('/');
        endpoints.Map(bare, (RequestDelegate)handler.HandleAsync).WithDisplayName("XEP-0129 WebDAV root");
        endpoints.Map(bare + "/{**davPath}", (RequestDelegate)handler.HandleAsync).WithDisplayName("XEP-0129 WebDAV");
        DavLog.Mapped(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebDavEndpoints).FullName!), prefix);
        return endpoints;
    }

    /// <summary><c>dav</c>, <c>/dav</c> and <c>/dav/</c> all mean <c>/dav/</c>.</summary>
    internal static string NormalizePrefix(string? path)
    {
        var trimmed = (path ?? "/dav/").Trim().Trim('/');
        return trimmed.Length == 0 ? "/" : "/" + trimmed + "/";
    }
}
