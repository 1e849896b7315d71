using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Ports;
using XmppUpload.Storage.Postgres;

namespace XmppUpload.Storage.Tests.Postgres;

public sealed class PostgresLedgerHostingTests(PostgresServerFixture server) : PostgresTestBase(server)
{
    [Fact]
    public async Task AddPostgresLedger_HostStart_MigratesAndServesEveryPortFromOneLedger()
    {
        using var host = Build(new Dictionary<string, string?> { ["ConnectionStrings:Ledger"] = Fixture.ConnectionString });

        await host.StartAsync(Ct);

        Assert.Equal(PostgresSchema.LatestVersion, Fixture.Scalar("SELECT MAX(version) FROM schema_migrations"));
        var ledger = host.Services.GetRequiredService<PostgresLedger>();
        Assert.Same(ledger, host.Services.GetRequiredService<ILedger>());
        Assert.Same(ledger, host.Services.GetRequiredService<IAccountLedger>());
        Assert.Same(ledger, host.Services.GetRequiredService<ISweepLedger>());
        Assert.Same(ledger, host.Services.GetRequiredService<ISigningKeyStore>());
        await host.StopAsync(Ct);
    }

    [Theory]
    [InlineData(null, "ConnectionStrings:Ledger is empty")]
    [InlineData("Host", "ConnectionStrings:Ledger is not a valid connection string")]
    [InlineData("Database=x", "ConnectionStrings:Ledger names no Host")]
    public async Task AddPostgresLedger_BadConnectionString_FailsTheStartWithOneLineNamingTheKey(string? connectionString, string expected)
    {
        using var host = Build(new Dictionary<string, string?> { ["ConnectionStrings:Ledger"] = connectionString });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task AddPostgresLedger_EmptyNodeId_FailsTheStartNamingTheKey()
    {
        using var host = Build(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ledger"] = Fixture.ConnectionString,
            ["Ledger:NodeId"] = " ",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.StartsWith("Ledger:NodeId is empty", error.Message, StringComparison.Ordinal);
    }

    private static IHost Build(Dictionary<string, string?> configuration)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddPostgresLedger();
        return builder.Build();
    }
}
