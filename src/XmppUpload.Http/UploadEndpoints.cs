using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Slots;
using XmppUpload.Http.Upload;

namespace XmppUpload.Http;

/// <summary>
/// Registers and maps the XEP-0363 upload routes, <c>{path of Http:PublicUrl}/{slot id}/{file name}</c>, for PUT,
/// GET, HEAD and OPTIONS. Needs <see cref="Core.Ports.ILedger"/>, <see cref="Core.Ports.IBlobStore"/> and
/// <see cref="Core.Tokens.SlotTokens"/> from the host.
/// </summary>
public static class UploadEndpoints
{
    /// <summary>
    /// Binds <see cref="HttpOptions"/> to the <c>Http</c> section and validates it at start; adds the handlers, a
    /// <see cref="TimeProvider"/> (the system clock, unless one is registered) and <see cref="SlotUrls"/> built
    /// from <c>Http:PublicUrl</c> (unless one is registered), so slot URLs and routes agree.
    /// </summary>
    public static IServiceCollection AddUploadEndpoints(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<HttpOptions>().BindConfiguration(HttpOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HttpOptions>, HttpOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SlotUrls(PublicBase.Parse(sp.GetRequiredService<IOptions<HttpOptions>>().Value.PublicUrl).Url));
        services.AddMetrics();
        services.TryAddSingleton<Diagnostics.HttpTelemetry>();
        services.TryAddSingleton<PutHandler>();
        services.TryAddSingleton(sp => new StoredSlotCache(
            sp.GetRequiredService<IOptions<HttpOptions>>().Value.StoredSlotCacheDuration, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<GetHandler>();
        services.TryAddSingleton<UploadRequestHandler>();
        return services;
    }

    /// <summary>Maps <c>{path of Http:PublicUrl}/{slot id}/{file name}</c> for every method (others are answered 405).</summary>
    public static IEndpointRouteBuilder MapUploadEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;

        // Reading the options here validates them, so a bad Http section stops the host before it listens.
        var publicBase = PublicBase.Parse(services.GetRequiredService<IOptions<HttpOptions>>().Value.PublicUrl);
        var handler = services.GetRequiredService<UploadRequestHandler>();
        var pattern = $"{publicBase.Path}/{{{UploadRequestHandler.SlotIdRouteValue}}}/{{{UploadRequestHandler.FileNameRouteValue}}}";

        endpoints.Map(pattern, (RequestDelegate)handler.HandleAsync).WithDisplayName("XEP-0363 upload");

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(UploadEndpoints).FullName!);
        if (!publicBase.IsHttps)
        {
            Log.PlainHttpPublicUrl(logger, publicBase.Url);
        }

        Log.EndpointsMapped(logger, pattern);
        return endpoints;
    }
}
