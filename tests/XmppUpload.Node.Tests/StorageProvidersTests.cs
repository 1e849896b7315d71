using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using XmppUpload.Core.Dav;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Core.Ports;
using XmppUpload.Http.Dav.Auth;
using XmppUpload.Node.Hosting;
using XmppUpload.Storage.Dav;
using XmppUpload.Storage.Postgres;
using XmppUpload.Storage.Sqlite;
using XmppUpload.Testing;

namespace XmppUpload.Node.Tests;

/// <summary>Ledger:Provider chooses where the WebDAV tree and its XEP-0070 state live, registered as the node registers them.</summary>
public sealed class StorageProvidersTests
{
    [Fact]
    public void Postgres_WithWebDavEnabled_IsAccepted_AndServesTheTreeItsNonceKeyAndXep0070StateFromPostgreSql()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Ledger:Provider"] = "Postgres",
            ["ConnectionStrings:Ledger"] = "Host=127.0.0.1;Database=xmppupload",
            ["WebDav:Enabled"] = "true",
        };

        using var host = Build(settings);

        Assert.Null(StorageProviders.Check(host.Services.GetRequiredService<IConfiguration>()));
        Assert.IsType<PostgresDavStore>(host.Services.GetRequiredService<IDavStore>());
        Assert.IsType<PostgresHttpAuthStateStore>(host.Services.GetRequiredService<IHttpAuthStateStore>());
        Assert.Same(host.Services.GetRequiredService<PostgresLedger>(), host.Services.GetRequiredService<ISharedSecretStore>());
    }

    [Fact]
    public void Sqlite_ByDefault_KeepsTheTreeInTheLedgerFile_AndTheXep0070StateInMemory()
    {
        using var data = TemporaryDirectory.Create("storage-providers");

        using var host = Build(new Dictionary<string, string?> { ["Storage:Path"] = data.Path });

        Assert.Null(StorageProviders.Check(host.Services.GetRequiredService<IConfiguration>()));
        Assert.IsType<SqliteDavStore>(host.Services.GetRequiredService<IDavStore>());
        Assert.IsType<MemoryHttpAuthStateStore>(host.Services.GetRequiredService<IHttpAuthStateStore>());
        Assert.Same(host.Services.GetRequiredService<SqliteLedger>(), host.Services.GetRequiredService<ISharedSecretStore>());
    }

    [Fact]
    public void UnknownLedger_IsRefusedWithOneLineNamingTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Ledger:Provider"] = "Oracle" }).Build();

        Assert.Equal("Ledger:Provider 'Oracle' is not a ledger: use Sqlite or Postgres.", StorageProviders.Check(configuration));
    }

    /// <summary>The host is built, never started: resolving the registrations opens no database.</summary>
    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        builder.Services.AddConfiguredStorage(builder.Configuration);
        builder.Services.AddDavAuthentication();
        return builder.Build();
    }
}
