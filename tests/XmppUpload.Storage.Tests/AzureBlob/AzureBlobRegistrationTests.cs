using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Storage.AzureBlob;

namespace XmppUpload.Storage.Tests.AzureBlob;

public sealed class AzureBlobRegistrationTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HostStart_CreatesTheContainer_AndTheStoreServesBlobs()
    {
        var container = AzuriteFixture.NewContainerName();
        using var host = BuildHost(new()
        {
            ["ConnectionStrings:BlobStore"] = azurite.Server.ConnectionString,
            ["BlobStore:Container"] = container,
        });

        await host.StartAsync(Ct);
        var store = host.Services.GetRequiredService<IBlobStore>();
        var key = SlotIds.New();
        await using (var writer = await store.BeginWriteAsync(key, Ct))
        {
            await writer.WriteAsync("hello"u8.ToArray(), Ct);
            await writer.CommitAsync(Ct);
        }

        Assert.Same(host.Services.GetRequiredService<AzureBlobStore>(), store);
        Assert.EndsWith("/" + container, ((AzureBlobStore)store).ContainerUri.ToString(), StringComparison.Ordinal);
        Assert.True(await store.ExistsAsync(key, Ct));
        await host.StopAsync(Ct);
    }

    [Fact]
    public void Options_ContainerDefaultsToUploads_AndTheConnectionStringComesOnlyFromConnectionStrings()
    {
        using var host = BuildHost(new()
        {
            ["ConnectionStrings:BlobStore"] = "UseDevelopmentStorage=true",
            ["BlobStore:ConnectionString"] = "ignored",
        });

        var options = host.Services.GetRequiredService<IOptions<AzureBlobStorageOptions>>().Value;

        Assert.Equal("uploads", options.Container);
        Assert.Equal("UseDevelopmentStorage=true", options.ConnectionString);
    }

    [Fact]
    public void AddAzureBlobStore_AfterAnotherStore_ReplacesIt()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IBlobStore>(_ => throw new InvalidOperationException("the earlier store"));
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:BlobStore"] = "UseDevelopmentStorage=true" })
            .Build());
        services.AddLogging();

        services.AddAzureBlobStore();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<AzureBlobStore>(provider.GetRequiredService<IBlobStore>());
    }

    [Theory]
    [InlineData(null, null, "ConnectionStrings:BlobStore is not set: set ConnectionStrings:BlobStore")]
    [InlineData("AccountName=myaccount", null, "ConnectionStrings:BlobStore is not a usable connection string (AccountKey is missing): set ConnectionStrings:BlobStore")]
    [InlineData("UseDevelopmentStorage=true", "Uploads", "BlobStore:Container 'Uploads' holds a character other than a-z, 0-9 and '-': set BlobStore:Container")]
    [InlineData("UseDevelopmentStorage=true", "ab", "BlobStore:Container 'ab' is not 3 to 63 characters long: set BlobStore:Container")]
    [InlineData("UseDevelopmentStorage=true", "up--loads", "BlobStore:Container 'up--loads' starts or ends with '-' or holds '--': set BlobStore:Container")]
    public async Task HostStart_BadConfiguration_FailsWithOneLineNamingTheKey(string? connectionString, string? container, string expected)
    {
        using var host = BuildHost(new()
        {
            ["ConnectionStrings:BlobStore"] = connectionString,
            ["BlobStore:Container"] = container,
        });

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        var failure = Assert.Single(exception.Failures);
        Assert.StartsWith(expected, failure, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', failure);
    }

    [Fact]
    public async Task HostStart_WrongKey_FailsWithTheServiceError()
    {
        using var host = BuildHost(new()
        {
            ["ConnectionStrings:BlobStore"] =
                $"AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(new byte[64])};BlobEndpoint={azurite.Server.BlobEndpoint}",
        });

        var exception = await Assert.ThrowsAsync<AzureBlobStorageException>(() => host.StartAsync(Ct));

        Assert.Equal("AuthorizationFailure", exception.ErrorCode);
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Services.AddAzureBlobStore();
        return builder.Build();
    }
}
