using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Accounts;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Node.Configuration;
using XmppUpload.Node.Hosting;

namespace XmppUpload.Node.Admin;

/// <summary>
/// Registers what the operator verbs use: the node's storage, <c>Upload</c> limits and <c>Tokens</c> keys, read from the
/// same configuration as the node, and nothing of the component link or the web server (the verbs need no Xmpp:Secret
/// and no endpoint).
/// </summary>
internal static class AdminServiceCollectionExtensions
{
    public static IServiceCollection AddAdminVerbs(this IServiceCollection services, IConfiguration configuration)
    {
        // The ledger and blob store the node is configured with: a verb on a cluster works on the shared PostgreSQL.
        services.AddConfiguredStorage(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<UploadOptions>().BindConfiguration(UploadOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UploadOptions>, UploadOptionsValidator>());
        services.TryAddSingleton(provider => provider.GetRequiredService<IOptions<UploadOptions>>().Value);

        services.AddOptions<TokensOptions>().BindConfiguration(TokensOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokensOptions>, TokensOptionsValidator>());

        var publicUrl = AdminPublicUrl.Read(configuration);
        services.TryAddSingleton(publicUrl);
        services.TryAddSingleton(new SlotUrls(publicUrl.BaseForSlotUrls));

        services.TryAddSingleton(provider => new AccountService(
            provider.GetRequiredService<IAccountLedger>(),
            provider.GetRequiredService<ISweepLedger>(),
            provider.GetRequiredService<IBlobStore>(),
            provider.GetRequiredService<SlotUrls>(),
            provider.GetRequiredService<UploadOptions>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetService<XmppUpload.Core.Dav.IDavStore>()));
        services.TryAddSingleton(provider => new Sweeper(
            provider.GetRequiredService<ISweepLedger>(),
            provider.GetRequiredService<IBlobStore>(),
            provider.GetRequiredService<TimeProvider>()));
        return services;
    }
}
