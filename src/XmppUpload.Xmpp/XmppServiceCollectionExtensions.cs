using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Accounts;
using XmppUpload.Core.Cluster;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Xmpp.Commands;
using XmppUpload.Xmpp.Component;
using XmppUpload.Xmpp.Configuration;
using XmppUpload.Xmpp.Diagnostics;
using XmppUpload.Xmpp.Handlers;
using XmppUpload.Xmpp.HttpAuth;

namespace XmppUpload.Xmpp;

/// <summary>Registers the XMPP component: options, stanza handlers, the link and its hosted service.</summary>
public static class XmppServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="XmppOptions"/> from the <c>Xmpp</c> configuration section (at start), and adds
    /// <see cref="IComponentConnection"/>, <see cref="IStanzaSender"/> and the hosted service that keeps the link up.
    /// Expects from the container: <c>SlotService</c>, <c>UploadOptions</c> (an instance), <c>IConfiguration</c> and
    /// logging; adds <see cref="TimeProvider.System"/> if no <see cref="TimeProvider"/> is registered, and the single-node
    /// <see cref="ILinkLeaseProvider"/> and <see cref="INodeBus"/> if the storage registered none. The XEP-0050
    /// account commands (usage, files, delete) are offered when the container also has an <c>AccountService</c>.
    /// Adds <see cref="IHttpAuthConfirmer"/> (XEP-0070 over the link); disco#info lists the XEP-0070 and XEP-0129
    /// features only when the host sets <see cref="XmppHttpAuthOptions.AdvertiseFeatures"/> (the WebDAV endpoint is on);
    /// on a node without the link, confirmations go over <see cref="INodeBus"/> to the node that holds it.
    /// </summary>
    public static IServiceCollection AddXmppComponent(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions<XmppOptions>().BindConfiguration(XmppOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<XmppOptions>, XmppOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        // The link lease and the node bus of a cluster come from its storage (AddPostgresLedger); a host without one
        // runs alone, always holds its link and talks only to itself.
        services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.SectionName);
        services.TryAddSingleton<ILinkLeaseProvider, SingleNodeLinkLeaseProvider>();
        services.TryAddSingleton<INodeBus, InProcessNodeBus>();

        services.AddMetrics();
        services.TryAddSingleton<XmppTelemetry>();
        services.TryAddSingleton<PendingIqs>();
        services.TryAddSingleton<ReconnectBackoff>();
        services.TryAddSingleton<ComponentConnection>();
        services.TryAddSingleton<IComponentConnection>(provider => provider.GetRequiredService<ComponentConnection>());
        services.TryAddSingleton<IStanzaSender>(provider => provider.GetRequiredService<ComponentConnection>());

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IIqHandler, DiscoInfoHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IIqHandler, DiscoItemsHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IIqHandler, PingHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IIqHandler, VersionHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IIqHandler, SlotRequestHandler>());

        // XEP-0050 ad-hoc commands for users. Without an AccountService (a host that serves uploads only) the catalog
        // is empty: nothing is advertised and every command node is item-not-found.
        services.TryAddSingleton(provider => new CommandCatalog(
            provider.GetService<AccountService>() is null
                ? []
                :
                [
                    ActivatorUtilities.CreateInstance<UsageCommand>(provider),
                    ActivatorUtilities.CreateInstance<FilesCommand>(provider),
                    ActivatorUtilities.CreateInstance<DeleteCommand>(provider),
                ],
            provider.GetRequiredService<SlotService>()));
        services.TryAddSingleton(provider => new CommandSessions(provider.GetRequiredService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IIqHandler, CommandHandler>());
        services.TryAddSingleton<StanzaDispatcher>();

        // XEP-0070: confirmations of HTTP requests, sent over the link; the dispatcher routes answers by message.
        services.AddOptions<XmppHttpAuthOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<XmppHttpAuthOptions>, XmppHttpAuthOptionsValidator>());
        services.TryAddSingleton<PendingConfirmations>();
        services.TryAddSingleton<HttpAuthFeatures>();
        services.TryAddSingleton<XmppHttpAuthConfirmer>();
        services.TryAddSingleton<IHttpAuthConfirmer>(provider => provider.GetRequiredService<XmppHttpAuthConfirmer>());

        // XEP-0070 across a cluster: a node on standby forwards confirmations over the node bus to the link holder.
        services.TryAddSingleton<RelayedConfirmations>();
        services.AddHostedService<HttpAuthRelayService>();

        services.AddHostedService<ComponentLinkService>();
        return services;
    }
}
