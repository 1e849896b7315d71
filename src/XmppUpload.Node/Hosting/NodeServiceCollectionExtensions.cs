using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Accounts;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Slots;
using XmppUpload.Core.Tokens;
using XmppUpload.Node.Configuration;
using XmppUpload.Xmpp.Configuration;

namespace XmppUpload.Node.Hosting;

/// <summary>Registers the domain services the node's parts share: upload limits, token keys and slot decisions.</summary>
internal static class NodeServiceCollectionExtensions
{
    public static IServiceCollection AddSlotServices(this IServiceCollection services)
    {
        services.TryAddSingletonTimeProvider();
        services.AddOptions<UploadOptions>().BindConfiguration(UploadOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<UploadOptions>, UploadOptionsValidator>();
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<UploadOptions>>().Value);

        services.AddSigningKeys();

        services.AddSingleton(provider =>
        {
            var xmpp = provider.GetRequiredService<IOptions<XmppOptions>>().Value;
            return new SlotService(
                provider.GetRequiredService<Core.Ports.ILedger>(),
                provider.GetRequiredService<SlotTokens>(),
                // The same SlotUrls the HTTP routes are mapped from, so granted URLs and routes cannot drift apart.
                provider.GetRequiredService<SlotUrls>(),
                provider.GetRequiredService<UploadOptions>(),
                xmpp.GetServedDomains(),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetService<Core.Lifecycle.NodeDrain>());
        });
        services.AddSingleton(provider => new AccountService(
            provider.GetRequiredService<Core.Ports.IAccountLedger>(),
            provider.GetRequiredService<Core.Ports.ISweepLedger>(),
            provider.GetRequiredService<Core.Ports.IBlobStore>(),
            provider.GetRequiredService<SlotUrls>(),
            provider.GetRequiredService<UploadOptions>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetService<XmppUpload.Core.Dav.IDavStore>(),
            provider.GetService<StoredSlotCache>()));
        services.AddSingleton(provider => new Sweeper(
            provider.GetRequiredService<Core.Ports.ISweepLedger>(),
            provider.GetRequiredService<Core.Ports.IBlobStore>(),
            provider.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// The PUT-token keys: <c>Tokens:SigningKeys</c> when configured, else the ledger's, loaded at start and reloaded
    /// every <c>Tokens:KeyReloadInterval</c> (and early for a token signed by a key this node does not hold).
    /// </summary>
    public static IServiceCollection AddSigningKeys(this IServiceCollection services)
    {
        services.TryAddSingletonTimeProvider();
        services.AddOptions<TokensOptions>().BindConfiguration(TokensOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokensOptions>, TokensOptionsValidator>());
        services.AddSingleton<SigningKeyRing>();
        services.AddSingleton<ISigningKeyProvider>(provider =>
            provider.GetRequiredService<IOptions<TokensOptions>>().Value is { UsesConfiguredKeys: true } tokens
                ? new ConfiguredSigningKeys(tokens)
                : provider.GetRequiredService<SigningKeyRing>());
        // Registered after the storage's start-up service, so the ledger exists when the keys are read.
        services.AddHostedService<SigningKeyLoader>();
        services.AddSingleton(provider => new SlotTokens(
            provider.GetRequiredService<ISigningKeyProvider>(),
            provider.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// Validates the <c>WebDav</c> section at start and advertises XEP-0129 and XEP-0070 in disco#info exactly when the
    /// WebDAV endpoint is enabled.
    /// </summary>
    public static IServiceCollection AddWebDavConventions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<Http.Dav.WebDavOptions>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<Http.Dav.WebDavOptions>, WebDavOptionsValidator>();
        var enabled = configuration.GetValue(Http.Dav.WebDavOptions.SectionName + ":" + nameof(Http.Dav.WebDavOptions.Enabled), true);
        services.Configure<Xmpp.HttpAuth.XmppHttpAuthOptions>(options => options.AdvertiseFeatures = enabled);
        return services;
    }

    /// <summary>Validates the <c>Cluster</c> section (the link lease and the node bus) at start.</summary>
    public static IServiceCollection AddClusterOptions(this IServiceCollection services)
    {
        services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClusterOptions>, ClusterOptionsValidator>();
        return services;
    }

    /// <summary><c>/health/ready</c>: the ledger and the blob store must answer; the component link is reported.</summary>
    public static IServiceCollection AddNodeHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>("storage", tags: [ServiceDefaults.ServiceDefaultsExtensions.ReadyTag])
            .AddCheck<ComponentLinkHealthCheck>("xmpp-component-link", tags: [ServiceDefaults.ServiceDefaultsExtensions.ReadyTag])
            .AddCheck<DrainHealthCheck>("drain", tags: [ServiceDefaults.ServiceDefaultsExtensions.ReadyTag]);
        return services;
    }

    /// <summary>Graceful stop (see <see cref="DrainService"/>); the host's shutdown timeout is raised to cover the drain.</summary>
    public static IServiceCollection AddNodeDrain(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NodeOptions>().BindConfiguration(NodeOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NodeOptions>, NodeOptionsValidator>();
        services.AddSingleton<Core.Lifecycle.NodeDrain>();
        services.AddHostedService<DrainService>();
        var drainTimeout = configuration.GetValue(NodeOptions.SectionName + ":" + nameof(NodeOptions.DrainTimeout), new NodeOptions().DrainTimeout);
        services.Configure<HostOptions>(options =>
        {
            // The host cancels StopAsync after ShutdownTimeout; the drain plus the other services' stops must fit in it.
            var needed = drainTimeout + TimeSpan.FromSeconds(15);
            if (options.ShutdownTimeout < needed)
            {
                options.ShutdownTimeout = needed;
            }
        });
        return services;
    }

    /// <summary>The retention sweeper, on every node (the ledger's batches keep nodes from doing the same work twice).</summary>
    public static IServiceCollection AddSweeper(this IServiceCollection services)
    {
        services.AddSingleton<Core.Diagnostics.SweeperTelemetry>();
        return services.AddHostedService<SweeperService>();
    }

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
