using Microsoft.Extensions.Options;

namespace XmppUpload.Xmpp.HttpAuth;

/// <summary>The disco#info features of XEP-0070 and XEP-0129, listed only while <see cref="XmppHttpAuthOptions.AdvertiseFeatures"/> is set.</summary>
internal sealed class HttpAuthFeatures(IOptions<XmppHttpAuthOptions> options)
{
    private static readonly string[] Advertised = [HttpAuthNames.Namespace, HttpAuthNames.WebDavFeature];

    public IReadOnlyList<string> Features => options.Value.AdvertiseFeatures ? Advertised : [];
}
