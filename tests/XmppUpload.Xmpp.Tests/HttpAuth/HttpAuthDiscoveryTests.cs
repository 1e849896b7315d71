using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Xmpp.HttpAuth;
using XmppUpload.Xmpp.Tests.Support;

namespace XmppUpload.Xmpp.Tests.HttpAuth;

/// <summary>XEP-0129 section 5: the WebDAV and XEP-0070 features are listed exactly when the node serves WebDAV.</summary>
public sealed class HttpAuthDiscoveryTests
{
    private static readonly XNamespace DiscoInfo = "http://jabber.org/protocol/disco#info";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AdvertiseFeatures_ListsHttpAuthAndXep0129()
    {
        await using var host = ConfirmHost.Build(s => s.Configure<XmppHttpAuthOptions>(o => o.AdvertiseFeatures = true));

        var features = await FeaturesAsync(host);

        Assert.Contains("http://jabber.org/protocol/http-auth", features);
        Assert.Contains("http://www.xmpp.org/extensions/xep-0129.html#ns", features);
        Assert.Contains("urn:xmpp:http:upload:0", features);
    }

    [Fact]
    public async Task ByDefault_NeitherFeatureIsListed_ButTheConfirmerIsRegistered()
    {
        await using var host = ConfirmHost.Build();

        var features = await FeaturesAsync(host);

        Assert.DoesNotContain("http://jabber.org/protocol/http-auth", features);
        Assert.DoesNotContain("http://www.xmpp.org/extensions/xep-0129.html#ns", features);
        Assert.IsType<XmppHttpAuthConfirmer>(host.Services.GetRequiredService<IHttpAuthConfirmer>());
        Assert.Same(host.Services.GetRequiredService<IHttpAuthConfirmer>(), host.Services.GetRequiredService<IHttpAuthConfirmer>());
    }

    private static async Task<List<string?>> FeaturesAsync(ConfirmHost host)
    {
        var request = Stanza.Iq("<query xmlns='http://jabber.org/protocol/disco#info'/>");
        var response = Stanza.AssertResult(await host.Dispatcher.RespondAsync(request, Token), request);
        return [.. response.Descendants(DiscoInfo + "feature").Select(f => (string?)f.Attribute("var"))];
    }
}
