using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Cluster;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Storage.FileSystem;
using XmppUpload.Storage.Sqlite;
using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests;

public sealed class EmbeddedStorageTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void AddEmbeddedStorage_Resolves_OneLedgerForSlotsAccountsSweepsAndKeysAndTheFileSystemStore()
    {
        using var host = BuildHost("data");

        var ledger = host.Services.GetRequiredService<ILedger>();

        Assert.IsType<SqliteLedger>(ledger);
        Assert.Same(ledger, host.Services.GetRequiredService<ISigningKeyStore>());
        Assert.Same(ledger, host.Services.GetRequiredService<IAccountLedger>());
        Assert.Same(ledger, host.Services.GetRequiredService<ISweepLedger>());
        Assert.Same(ledger, host.Services.GetRequiredService<SqliteLedger>());
        Assert.IsType<FileSystemBlobStore>(host.Services.GetRequiredService<IBlobStore>());
        // A node on SQLite runs alone: it always holds its link, and its bus stays in the process.
        Assert.IsType<SingleNodeLinkLeaseProvider>(host.Services.GetRequiredService<ILinkLeaseProvider>());
        Assert.IsType<InProcessNodeBus>(host.Services.GetRequiredService<INodeBus>());
        Assert.Equal(_directory.Combine("data"), host.Services.GetRequiredService<IOptions<StorageOptions>>().Value.Path);
        Assert.Equal(_directory.Combine("data", SqliteLedger.DatabaseFileName), ((SqliteLedger)ledger).DatabasePath);
    }

    [Fact]
    public async Task HostStart_AfterACrash_MigratesRemovesStagedFilesAndResetsInterruptedUploads()
    {
        var path = _directory.Combine("data");
        var slot = TestSlots.New(_time.GetUtcNow());
        using (var crashed = OpenLedger(path))
        {
            await crashed.CreateSlotAsync(slot, Ct);
            await crashed.BeginUploadAsync(slot.Id, _time.GetUtcNow(), Ct);
        }

        var staging = Path.Combine(path, FileSystemBlobStore.StagingDirectoryName);
        Directory.CreateDirectory(staging);
        await File.WriteAllTextAsync(Path.Combine(staging, $"{slot.Id}.0011223344556677.part"), "half an upload", Ct);

        using var host = BuildHost(path);
        await host.StartAsync(Ct);

        Assert.Empty(Directory.GetFileSystemEntries(staging));
        var ledger = host.Services.GetRequiredService<ILedger>();
        Assert.Equal(SlotState.Pending, (await ledger.FindSlotAsync(slot.Id, Ct))!.State);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task HostStart_StorageIsReadyBeforeOtherHostedServicesStart()
    {
        var path = _directory.Combine("data");
        var staging = Path.Combine(path, FileSystemBlobStore.StagingDirectoryName);
        Directory.CreateDirectory(staging);
        await File.WriteAllTextAsync(Path.Combine(staging, "leftover.part"), "x", Ct);
        var probe = new StartProbe(staging);

        // Registered before the storage, as a web server or component link might be.
        using var host = BuildHost(path, services => services.AddSingleton<IHostedService>(probe));
        await host.StartAsync(Ct);

        Assert.Equal([0, 0], probe.StagedFilesSeen);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task HostStart_UnusablePath_FailsWithOneClearLine()
    {
        var file = _directory.Combine("occupied");
        await File.WriteAllTextAsync(file, "not a directory", Ct);

        using var host = BuildHost(Path.Combine(file, "data"));
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.StartsWith("Storage:Path '", error.Message, StringComparison.Ordinal);
        Assert.Contains("Storage__Path", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void AddEmbeddedStorage_CalledTwice_RegistersEachPartOnce()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IHostedService, StartProbe>();

        services.AddEmbeddedStorage().AddEmbeddedStorage();

        var hosted = services.Where(d => d.ServiceType == typeof(IHostedService)).ToArray();
        Assert.Equal(2, hosted.Length);
        Assert.Equal("EmbeddedStorageStartup", hosted[0].ImplementationType!.Name);
        Assert.Single(services, d => d.ServiceType == typeof(ILedger));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<StorageOptions>));
    }

    private IHost BuildHost(string storagePath, Action<IServiceCollection>? before = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = _directory.Path,
        });
        builder.Configuration.AddInMemoryCollection([new("Storage:Path", storagePath)]);
        before?.Invoke(builder.Services);
        builder.Services.AddEmbeddedStorage();
        return builder.Build();
    }

    private static SqliteLedger OpenLedger(string path) =>
        new(Options.Create(new StorageOptions { Path = path }), NullLogger<SqliteLedger>.Instance);

    /// <summary>Records how many staged files exist when the host starts it, in both start phases.</summary>
    private sealed class StartProbe(string stagingPath) : IHostedLifecycleService
    {
        public StartProbe()
            : this(string.Empty)
        {
        }

        public List<int> StagedFilesSeen { get; } = [];

        public Task StartingAsync(CancellationToken cancellationToken) => Record();

        public Task StartAsync(CancellationToken cancellationToken) => Record();

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        private Task Record()
        {
            StagedFilesSeen.Add(Directory.GetFiles(stagingPath).Length);
            return Task.CompletedTask;
        }
    }
}
