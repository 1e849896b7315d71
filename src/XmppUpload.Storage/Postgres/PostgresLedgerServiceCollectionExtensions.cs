using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Dav;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.Postgres;

/// <summary>Registers the PostgreSQL ledger of a cluster node.</summary>
public static class PostgresLedgerServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="ILedger"/>, <see cref="IAccountLedger"/>, <see cref="ISweepLedger"/>, <see cref="ISigningKeyStore"/> and
    /// <see cref="ISharedSecretStore"/> as one <see cref="PostgresLedger"/>, the WebDAV tree (<see cref="IDavStore"/>) and
    /// the XEP-0070 state (<see cref="IHttpAuthStateStore"/>) in the same database (replacing earlier registrations, such
    /// as the SQLite ledger of <c>AddEmbeddedStorage</c>) on <c>ConnectionStrings:Ledger</c>, validated at start, and a
    /// start-up step that migrates the schema and resets this node's interrupted uploads before requests are taken.
    /// </summary>
    public static IServiceCollection AddPostgresLedger(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions<PostgresLedgerOptions>()
            .Configure<IConfiguration>((options, configuration) =>
            {
                options.ConnectionString = configuration[PostgresLedgerOptions.ConnectionStringKey];
                if (configuration[PostgresLedgerOptions.NodeIdKey] is { } nodeId)
                {
                    options.NodeId = nodeId;
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresLedgerOptions>, PostgresLedgerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton<PostgresLedger>();
        services.Replace(ServiceDescriptor.Singleton<ILedger>(provider => provider.GetRequiredService<PostgresLedger>()));
        services.Replace(ServiceDescriptor.Singleton<IAccountLedger>(provider => provider.GetRequiredService<PostgresLedger>()));
        services.Replace(ServiceDescriptor.Singleton<ISweepLedger>(provider => provider.GetRequiredService<PostgresLedger>()));
        services.Replace(ServiceDescriptor.Singleton<ISigningKeyStore>(provider => provider.GetRequiredService<PostgresLedger>()));
        services.Replace(ServiceDescriptor.Singleton<IStorageTotals>(provider => provider.GetRequiredService<PostgresLedger>()));

        // WebDAV on a cluster: the tree, the Digest nonce key and the XEP-0070 state live in the same database, so
        // any node answers any request of a client.
        services.Replace(ServiceDescriptor.Singleton<ISharedSecretStore>(provider => provider.GetRequiredService<PostgresLedger>()));
        services.TryAddSingleton<PostgresDavStore>();
        services.Replace(ServiceDescriptor.Singleton<IDavStore>(provider => provider.GetRequiredService<PostgresDavStore>()));
        services.TryAddSingleton<PostgresHttpAuthStateStore>();
        services.Replace(ServiceDescriptor.Singleton<IHttpAuthStateStore>(provider => provider.GetRequiredService<PostgresHttpAuthStateStore>()));

        // First in the list, so that its StartingAsync runs before any other service's (see PostgresLedgerStartup).
        if (!services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(PostgresLedgerStartup)))
        {
            services.Insert(0, ServiceDescriptor.Singleton<IHostedService, PostgresLedgerStartup>());
        }

        services.AddPostgresCluster();
        return services;
    }
}
