using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Configuration;
using XmppUpload.Xmpp.Component;
using XmppUpload.Xmpp.Configuration;
using XmppUpload.Xmpp.Tests.Support;

namespace XmppUpload.Xmpp.Tests.Configuration;

public sealed class XmppOptionsTests
{
    private static ValidateOptionsResult Validate(XmppOptions options) => new XmppOptionsValidator().Validate(null, options);

    [Fact]
    public void Defaults_WithASecret_AreValid()
    {
        var options = new XmppOptions { Secret = "s3cret" };

        Assert.True(Validate(options).Succeeded);
        Assert.Equal("127.0.0.1:5347", options.Server);
        Assert.Equal("upload.localhost", options.Domain);
        Assert.Equal(["localhost"], options.GetServedDomains());
        Assert.Equal(TimeSpan.FromSeconds(60), options.KeepAliveInterval);
        Assert.Equal(256 * 1024, options.MaxStanzaSize);
    }

    [Fact]
    public void Validate_WithoutSecret_FailsWithOneLineNamingTheKey()
    {
        var result = Validate(new XmppOptions());

        var failure = Assert.Single(result.Failures!);
        Assert.Equal(
            "Xmpp:Secret is required: set it to the component secret configured on the XMPP server (environment variable Xmpp__Secret)",
            failure);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:0")]
    [InlineData("localhost:65536")]
    [InlineData("localhost:http")]
    [InlineData(":5347")]
    [InlineData("::1:5347")]
    [InlineData("[::1]")]
    [InlineData("")]
    public void Validate_WithServerNotHostAndPort_FailsNamingXmppServer(string server)
    {
        var result = Validate(new XmppOptions { Secret = "s", Server = server });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Xmpp:Server", failure, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', failure);
    }

    [Theory]
    [InlineData("xmpp.example.org:5347", "xmpp.example.org", 5347)]
    [InlineData("127.0.0.1:5275", "127.0.0.1", 5275)]
    [InlineData("[::1]:5347", "::1", 5347)]
    public void ServerAddress_ParsesHostAndPort(string value, string host, int port)
    {
        Assert.True(ServerAddress.TryParse(value, out var address));
        Assert.Equal((host, port), (address.Host, address.Port));
        Assert.Equal(value, address.ToString());
    }

    [Theory]
    [InlineData("upload.example.org", "example.org")]
    [InlineData("Upload.Example.ORG.", "example.org")]
    [InlineData("files.upload.example.org", "upload.example.org")]
    public void ServedDomains_WhenNotConfigured_AreTheParentOfTheDomain(string domain, string parent)
    {
        Assert.Equal([parent], new XmppOptions { Domain = domain }.GetServedDomains());
    }

    [Fact]
    public void ServedDomains_WhenConfigured_AreUsedNormalized()
    {
        var options = new XmppOptions { Domain = "upload.example.org", ServedDomains = ["Example.org", "example.net."] };

        Assert.Equal(["example.org", "example.net"], options.GetServedDomains());
    }

    [Fact]
    public void Validate_DomainWithoutParentAndNoServedDomains_FailsNamingServedDomains()
    {
        var result = Validate(new XmppOptions { Secret = "s", Domain = "upload" });

        Assert.StartsWith("Xmpp:ServedDomains", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("romeo@example.org")]
    [InlineData("example.org/res")]
    [InlineData("exa mple.org")]
    public void Validate_DomainThatIsNoDomain_FailsNamingXmppDomain(string domain)
    {
        var result = Validate(new XmppOptions { Secret = "s", Domain = domain });

        Assert.Contains(result.Failures!, f => f.StartsWith("Xmpp:Domain", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_OutOfRangeNumbers_FailEachNamingItsKey()
    {
        var result = Validate(new XmppOptions
        {
            Secret = "s",
            KeepAliveInterval = TimeSpan.Zero,
            MaxStanzaSize = 100,
            MaxConcurrentHandlers = 0,
            ReconnectDelay = TimeSpan.FromSeconds(10),
            MaxReconnectDelay = TimeSpan.FromSeconds(5),
        });

        var keys = result.Failures!.Select(f => f[..f.IndexOf(' ', StringComparison.Ordinal)]).ToList();
        Assert.Equal(["Xmpp:KeepAliveInterval", "Xmpp:MaxReconnectDelay", "Xmpp:MaxStanzaSize", "Xmpp:MaxConcurrentHandlers"], keys);
    }

    [Fact]
    public async Task AddXmppComponent_WithoutSecret_FailsAtStartWithTheMessage()
    {
        using var host = BuildHost(new Dictionary<string, string?> { ["Xmpp:Domain"] = "upload.montague.tld" });

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Xmpp:Secret is required", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddXmppComponent_BindsTheSectionAndExposesTheConnection()
    {
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["Xmpp:Server"] = "xmpp.montague.tld:5275",
            ["Xmpp:Domain"] = "upload.montague.tld",
            ["Xmpp:Secret"] = "s3cret",
            ["Xmpp:ServedDomains:0"] = "montague.tld",
            ["Xmpp:KeepAliveInterval"] = "00:00:30",
        });

        var options = host.Services.GetRequiredService<IOptions<XmppOptions>>().Value;
        Assert.Equal(("xmpp.montague.tld:5275", "s3cret", TimeSpan.FromSeconds(30)), (options.Server, options.Secret, options.KeepAliveInterval));
        Assert.Equal(["montague.tld"], options.GetServedDomains());
        var connection = host.Services.GetRequiredService<IComponentConnection>();
        Assert.Same(connection, host.Services.GetRequiredService<IStanzaSender>());
        Assert.Equal(ComponentLinkState.Stopped, connection.State);
        Assert.False(connection.IsConnected);
        Assert.Contains(host.Services.GetServices<IHostedService>(), s => s is ComponentLinkService);
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        var service = new UploadService();
        builder.Services.AddSingleton(service.Upload);
        builder.Services.AddSingleton(service.Slots);
        builder.Services.AddLogging();
        builder.Services.AddXmppComponent();
        return builder.Build();
    }
}
