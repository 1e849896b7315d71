using Microsoft.Extensions.Logging.Console;
using XmppUpload.Core.Configuration;
using XmppUpload.Node.Configuration;
using XmppUpload.Node.Hosting;
using XmppUpload.Storage;
using XmppUpload.Storage.Sqlite;

namespace XmppUpload.Node.Admin;

/// <summary>
/// Runs one verb in a small host built from the node's configuration, against the node's data, and returns its exit code.
/// </summary>
/// <remarks>
/// The host is built but never started. Starting it would run the embedded storage's start-up step, which removes staged
/// files and returns uploads in progress to Pending: right for a node that is starting, but it would cut the uploads of a
/// node that is running on the same data while an operator looks at an account. The ledger migrates its schema on first
/// use, so nothing else needs starting.
/// </remarks>
internal static class AdminHost
{
    public static Task<int> RunAsync(
        string verb, string[] configurationArgs, AdminOutput output, Func<AdminVerbs, CancellationToken, Task<int>> run, CancellationToken cancellationToken) =>
        RunAsync<AdminVerbs>(verb, configurationArgs, output, run, cancellationToken);

    /// <summary>As <see cref="RunAsync(string, string[], AdminOutput, Func{AdminVerbs, CancellationToken, Task{int}}, CancellationToken)"/>, with the verbs of <typeparamref name="TVerbs"/>.</summary>
    public static async Task<int> RunAsync<TVerbs>(
        string verb, string[] configurationArgs, AdminOutput output, Func<TVerbs, CancellationToken, Task<int>> run, CancellationToken cancellationToken)
        where TVerbs : class
    {
        using var host = CreateBuilder(configurationArgs).Build();
        var services = host.Services;

        var configuration = services.GetRequiredService<IConfiguration>();
        var missing = StorageProviders.Check(configuration)
            ?? (StorageProviders.IsPostgres(configuration) ? null : MissingLedger(configuration, services.GetRequiredService<IHostEnvironment>()));
        if (missing is not null)
        {
            await output.Error.WriteLineAsync(missing);
            return AdminExitCodes.UsageError;
        }

        var failures = StartupValidation.CheckStorage(services);
        if (failures.Count > 0)
        {
            foreach (var failure in failures)
            {
                await output.Error.WriteLineAsync(failure);
            }

            return AdminExitCodes.UsageError;
        }

        var verbs = ActivatorUtilities.CreateInstance<TVerbs>(services, output);
        try
        {
            return await run(verbs, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await output.Error.WriteLineAsync($"{verb} was interrupted; run it again to finish (every step it took is complete on its own).");
            return AdminExitCodes.Failure;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Broken infrastructure (a locked or corrupt ledger, an unreadable blob directory): one line, not a stack trace.
            await output.Error.WriteLineAsync($"{verb} failed: {e.Message.ReplaceLineEndings(" ").Trim()} ({e.GetType().Name})");
            return AdminExitCodes.Failure;
        }
    }

    /// <summary>
    /// The node's configuration sources in the node's order: <c>WebApplication.CreateBuilder</c> reads <c>ASPNETCORE_</c>
    /// variables, then the host defaults (appsettings.json and appsettings.{Environment}.json from the content root,
    /// <c>DOTNET_</c> and unprefixed environment variables, <c>--Key=value</c> arguments). Logs go to stderr and only from
    /// warnings up, so that stdout holds nothing but the verb's table or JSON.
    /// </summary>
    private static HostApplicationBuilder CreateBuilder(string[] configurationArgs)
    {
        var configuration = new ConfigurationManager();
        configuration.AddEnvironmentVariables(prefix: "ASPNETCORE_");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = configurationArgs, Configuration = configuration });

        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter<ConsoleLoggerProvider>(category: null, LogLevel.Warning);

        builder.Services.AddAdminVerbs(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// A verb pointed at the wrong directory must say so, not report an empty account (nor leave a new empty ledger
    /// there), so the SQLite ledger file has to exist already (a PostgreSQL ledger is named by its connection string).
    /// Checked before the options are read, because validating <c>Storage:Path</c> creates the directory.
    /// </summary>
    private static string? MissingLedger(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration[$"{StorageOptions.SectionName}:{nameof(StorageOptions.Path)}"] ?? StorageOptions.DefaultPath;
        if (string.IsNullOrWhiteSpace(configured))
        {
            return null; // The validator names the key.
        }

        string ledger;
        try
        {
            // As StorageOptionsSetup resolves it: a relative path is taken from the content root.
            ledger = Path.Combine(Path.GetFullPath(configured, environment.ContentRootPath), SqliteLedger.DatabaseFileName);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }

        return File.Exists(ledger)
            ? null
            : $"No ledger at {ledger}: set Storage:Path to the node's data directory, e.g. --Storage:Path=/var/lib/xmppupload (environment variable Storage__Path).";
    }
}
