using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.Postgres;

/// <summary>Registers what the nodes of a cluster share besides the ledger; part of <see cref="PostgresLedgerServiceCollectionExtensions.AddPostgresLedger"/>.</summary>
internal static class PostgresClusterServiceCollectionExtensions
{
    /// <summary>
    /// The component link lease (<see cref="ILinkLeaseProvider"/>, advisory locks) and the node bus
    /// (<see cref="INodeBus"/>, LISTEN/NOTIFY) on the ledger's database, replacing the single-node ones of
    /// <c>AddEmbeddedStorage</c>, tuned by the <c>Cluster</c> section.
    /// </summary>
    public static IServiceCollection AddPostgresCluster(this IServiceCollection services)
    {
        services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.SectionName);
        services.TryAddSingleton<PostgresLinkLeaseProvider>();
        services.TryAddSingleton<PostgresNodeBus>();
        services.Replace(ServiceDescriptor.Singleton<ILinkLeaseProvider>(provider => provider.GetRequiredService<PostgresLinkLeaseProvider>()));
        services.Replace(ServiceDescriptor.Singleton<INodeBus>(provider => provider.GetRequiredService<PostgresNodeBus>()));
        return services;
    }
}
