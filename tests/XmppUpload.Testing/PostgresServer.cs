using System.Globalization;
using System.Security.Cryptography;

namespace XmppUpload.Testing;

/// <summary>
/// A private PostgreSQL (Debian's, <see cref="BinDirectory"/>) in a temporary directory: a fresh cluster made by
/// initdb with trust authentication, listening on 127.0.0.1 on a free port, with fsync off (test data need not survive
/// a power cut). PostgreSQL refuses to run as root, so initdb and the server run as the <c>postgres</c> user through
/// runuser, on a directory handed to that user. Tests take a database each from <see cref="CreateDatabaseAsync"/>;
/// disposing shuts the server down and removes the directory.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    /// <summary>The database superuser initdb creates; trust authentication lets any local client use it.</summary>
    public const string Superuser = "postgres";

    private const string ServiceUser = "postgres";

    private const string IncludedSettingsName = "included-settings.conf";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly TemporaryDirectory _directory;
    private readonly string? _settingsFile;
    private ExternalProcess? _process;

    private PostgresServer(TemporaryDirectory directory, int port, string? settingsFile)
    {
        _directory = directory;
        Port = port;
        _settingsFile = settingsFile;
    }

    public int Port { get; }

    public string DataDirectory => _directory.Combine("data");

    /// <summary>Where the server puts its Unix socket (-k), inside the temporary directory rather than /var/run.</summary>
    public string SocketDirectory => _directory.Combine("sockets");

    /// <summary>The server's log so far (it logs to stderr), for failure messages.</summary>
    public string Output => _process?.Output ?? "";

    /// <summary>A connection string for <paramref name="database"/> as the superuser over TCP.</summary>
    public string ConnectionString(string database) =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username={Superuser};Database={database}");

    /// <summary>Creates the cluster, starts the server and returns once it accepts connections.</summary>
    public static Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(settingsFile: null, cancellationToken);

    /// <summary>
    /// Like <see cref="StartAsync(CancellationToken)"/>, with <paramref name="settingsFile"/> (a postgresql.conf fragment
    /// such as infra/cluster/postgresql.conf) included from the cluster's postgresql.conf, as an operator would include
    /// it. The test-only settings on the server's command line (no fsync, loopback only) still take precedence.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(string? settingsFile, CancellationToken cancellationToken = default)
    {
        var directory = TemporaryDirectory.Create("postgres");
        var server = new PostgresServer(directory, FreeTcpPort.Get(), settingsFile);
        try
        {
            await server.StartServerAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates an empty database with a random name and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var name = "test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        await RunAsync(
            Path.Combine(BinDirectory, "createdb"),
            ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", Superuser, name],
            cancellationToken);
        return ConnectionString(name);
    }

    /// <summary>Shuts the server down (fast shutdown, then a kill if it lingers) and removes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopServerAsync();
        _directory.Dispose();
    }

    /// <summary>
    /// Shuts the server down as an operator's restart does (fast shutdown: sessions are ended, the data is kept) and
    /// returns once it has exited; <see cref="StartAgainAsync"/> brings the same cluster back on the same port.
    /// </summary>
    public Task StopAsync() => StopServerAsync();

    /// <summary>Starts the stopped server again on its data and port, and returns once it accepts connections.</summary>
    public Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("The PostgreSQL server is running; stop it first.");
        }

        return LaunchAsync(cancellationToken);
    }

    private async Task StopServerAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited && ReadPostmasterPid() is { } pid)
            {
                // SIGINT is PostgreSQL's fast shutdown: sessions end, shared memory is released. Killing runuser's tree
                // (below) alone could leave the server's shared memory behind.
                try
                {
                    await RunAsync("kill", ["-INT", pid.ToString(CultureInfo.InvariantCulture)], CancellationToken.None);
                    await process.WaitForExitAsync(StopTimeout);
                }
                catch (Exception e) when (e is TimeoutException or InvalidOperationException)
                {
                    // Killed below.
                }
            }

            await process.DisposeAsync();
        }
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(SocketDirectory);
        await RunAsync("chown", ["-R", $"{ServiceUser}:{ServiceUser}", _directory.Path], cancellationToken);
        await RunAsync(
            "runuser",
            [
                "-u", ServiceUser, "--", Path.Combine(BinDirectory, "initdb"),
                "-D", DataDirectory, "--auth=trust", "--username", Superuser, "--encoding=UTF8", "--locale=C", "--no-sync",
            ],
            cancellationToken);

        if (_settingsFile is not null)
        {
            // Copied beside postgresql.conf (readable by the server's user) and included by a relative path.
            File.Copy(_settingsFile, Path.Combine(DataDirectory, IncludedSettingsName));
            await File.AppendAllTextAsync(
                Path.Combine(DataDirectory, "postgresql.conf"), $"{Environment.NewLine}include '{IncludedSettingsName}'{Environment.NewLine}", cancellationToken);
            await RunAsync("chown", [$"{ServiceUser}:{ServiceUser}", Path.Combine(DataDirectory, IncludedSettingsName)], cancellationToken);
        }

        await LaunchAsync(cancellationToken);
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        List<string> arguments =
        [
            "-u", ServiceUser, "--", Path.Combine(BinDirectory, "postgres"),
            "-D", DataDirectory,
            "-k", SocketDirectory,
            "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off",
            "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
        ];
        if (_settingsFile is null)
        {
            // With a settings file, its max_connections is the one under test.
            arguments.AddRange(["-c", "max_connections=300"]);
        }

        _process = ExternalProcess.Start("runuser", arguments, new ExternalProcessOptions { Name = "postgres" });

        await _process.WaitForOutputAsync("ready to accept connections", StartTimeout, cancellationToken);
        await _process.WaitForPortAsync(Port, StartTimeout, cancellationToken);
    }

    private int? ReadPostmasterPid()
    {
        try
        {
            var first = File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static async Task RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        await using var process = ExternalProcess.Start(fileName, arguments);
        var exitCode = await process.WaitForExitAsync(CommandTimeout, cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{process.Name} exited with code {exitCode}.{Environment.NewLine}{process.Output}");
        }
    }
}
