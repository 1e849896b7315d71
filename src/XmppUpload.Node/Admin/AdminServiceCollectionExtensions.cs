using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Accounts;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Node.Configuration;
using XmppUpload.Storage;

namespace XmppUpload.Node.Admin;

/// <summary>
/// Registers what the operator verbs use: the node's storage and <c>Upload</c> limits, read from the same configuration
/// as the node, and nothing of the component link or the web server (the verbs need no Xmpp:Secret and no endpoint).
/// </summary>
internal static class AdminServiceCollectionExtensions
{
    public static IServiceCollection AddAdminVerbs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEmbeddedStorage();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<UploadOptions>().BindConfiguration(UploadOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UploadOptions>, UploadOptionsValidator>());
        services.TryAddSingleton(provider => provider.GetRequiredService<IOptions<UploadOptions>>().Value);

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
