using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using XmppUpload.Benchmarks.Http;
using XmppUpload.Testing;

namespace XmppUpload.Benchmarks.Slots;

/// <summary>
/// XEP-0363 slot requests through one XMPP server at a time, to the node attached as its component and to the server's
/// own upload module: Prosody with <c>mod_http_file_share</c>, then (when installed) ejabberd with
/// <c>mod_http_upload</c>. The same client (tests/benchmarks/slot-load.py) at 1, 16 and 64 requests in flight
/// measures slots per second, p50 and p99 latency, and the CPU time per slot of the node and of the server process
/// (Prosody's Lua process, ejabberd's beam.smp), from /proc/PID/stat over the measured requests. The two targets of a
/// server take turns, in an order rotated each run; every figure is the median of the runs.
/// </summary>
internal sealed class SlotSideBySideRun(int runs, bool quick)
{
    private const string Prefix = "bench";
    private const string Password = "bench-password";
    private const int Accounts = 8;
    private const string ShareDomain = "share.localhost";

    private static readonly int[] InFlight = [1, 16, 64];

    private readonly TimeSpan _measure = TimeSpan.FromSeconds(quick ? 2 : 10);
    private readonly int _maxRequests = quick ? 2000 : 30000;

    /// <summary>The servers the run knows, in the order of the table's columns.</summary>
    private static readonly Pair[] Pairs =
    [
        new("prosody", "Prosody mod_http_file_share", () => File.Exists(ProsodyServer.ProsodyExecutable) ? null : "Prosody is not installed (infra/install-test-deps.sh)", StartProsodyAsync),
        new("ejabberd", "ejabberd mod_http_upload", () => File.Exists(EjabberdServer.EjabberdctlExecutable) ? null : "ejabberd is not installed (infra/install-test-deps.sh)", StartEjabberdAsync),
    ];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var loadBefore = LoadAverage();
        var users = Enumerable.Range(0, Accounts).ToDictionary(i => Prefix + i.ToString(CultureInfo.InvariantCulture), _ => Password);
        var results = new Dictionary<string, Dictionary<string, List<double>>>();
        var skipped = new Dictionary<string, string>();
        var measured = new List<Pair>();
        foreach (var pair in Pairs)
        {
            if (pair.Unavailable() is { } reason)
            {
                Console.Error.WriteLine($"skipping {pair.Server}: {reason}");
                skipped[pair.Server] = reason;
                continue;
            }

            await RunPairAsync(pair, users, results, cancellationToken);
            measured.Add(pair);
        }

        return await ReportAsync(measured, results, skipped, loadBefore, LoadAverage(), cancellationToken);
    }

    private async Task RunPairAsync(Pair pair, IReadOnlyDictionary<string, string> users, Dictionary<string, Dictionary<string, List<double>>> results, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine($"starting {pair.Server}");
        var (server, serverProcess) = await pair.StartAsync(users, cancellationToken);
        await using var serverLifetime = server;
        await using var node = await NodeProcess.StartAsync(
            new Dictionary<string, string>
            {
                ["Xmpp:Server"] = $"127.0.0.1:{server.ComponentPort.ToString(CultureInfo.InvariantCulture)}",
                ["Xmpp:Domain"] = server.ComponentDomain,
                ["Xmpp:Secret"] = server.ComponentSecret,
                // Speed, not refusals: no rate window or quota the run could reach.
                ["Upload:RateLimit:Requests"] = "100000000",
                ["Upload:RateLimit:Window"] = "00:00:01",
                ["Upload:Purposes:message:Quota"] = (1L << 50).ToString(CultureInfo.InvariantCulture),
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:XmppUpload"] = "Warning",
                // The one line the start waits for (the link authenticated); nothing per slot.
                ["Logging:LogLevel:XmppUpload.Xmpp.Component"] = "Information",
            },
            cancellationToken: cancellationToken);

        int[] processes = [node.Process.Id, serverProcess];
        var targets = new[] { (Name: pair.NodeTarget, Service: server.ComponentDomain), (Name: pair.Server, Service: ShareDomain) };
        foreach (var (name, service) in targets)
        {
            // Not measured: the node's code paths reach their optimised (tier-1) JIT, both servers their steady state.
            Console.Error.WriteLine($"warming up {name}");
            await MeasureAsync(server, service, 16, processes, cancellationToken);
        }

        for (var run = 0; run < runs; run++)
        {
            var order = targets.Skip(run % targets.Length).Concat(targets.Take(run % targets.Length));
            foreach (var (name, service) in order)
            {
                var figures = results.TryGetValue(name, out var known) ? known : results[name] = [];
                foreach (var inFlight in InFlight)
                {
                    Console.Error.WriteLine($"run {run + 1}/{runs}: {name}, {inFlight} in flight");
                    var measured = await MeasureAsync(server, service, inFlight, processes, cancellationToken);
                    void Record(string metric, double value) => (figures.TryGetValue(metric, out var list) ? list : figures[metric] = []).Add(value);
                    Record($"slots_per_s_{inFlight}", measured.PerSecond);
                    Record($"p50_ms_{inFlight}", measured.P50Milliseconds);
                    Record($"p99_ms_{inFlight}", measured.P99Milliseconds);
                    if (name == pair.NodeTarget)
                    {
                        Record($"node_cpu_us_per_slot_{inFlight}", measured.CpuMicrosecondsPerSlot[0]);
                    }

                    Record($"server_cpu_us_per_slot_{inFlight}", measured.CpuMicrosecondsPerSlot[1]);
                }
            }
        }
    }

    /// <summary>One Prosody with its own upload service on its own HTTP port, its quotas and size limit far above what the run asks for.</summary>
    private static async Task<(IXmppTestServer Server, int Process)> StartProsodyAsync(IReadOnlyDictionary<string, string> users, CancellationToken cancellationToken)
    {
        var httpPort = FreeTcpPort.Get();
        var share = string.Create(CultureInfo.InvariantCulture, $$"""
            http_ports = { {{httpPort}} }
            http_interfaces = { "127.0.0.1" }
            https_ports = { }
            -- The module records each slot in an archive; the internal store refuses past 10000 items per user by default.
            storage_archive_item_limit = 10000000
            Component "{{ShareDomain}}" "http_file_share"
                http_file_share_size_limit = 1024 * 1024 * 1024
                http_file_share_daily_quota = 1024 * 1024 * 1024 * 1024
                http_file_share_global_quota = 1024 * 1024 * 1024 * 1024
                http_file_share_expires_after = 3600
            """);
        var prosody = await ProsodyServer.StartAsync(new ProsodyOptions { Users = users, ExtraGlobalConfig = share, LogLevel = "warn" }, cancellationToken);
        return (prosody, prosody.Process.Id);
    }

    /// <summary>
    /// One ejabberd with <c>mod_http_upload</c> on share.localhost, configured as the HTTP run's ejabberd target is (no
    /// quota module, 1 GiB size limit); its CPU is the Erlang VM's (beam.smp).
    /// </summary>
    private static async Task<(IXmppTestServer Server, int Process)> StartEjabberdAsync(IReadOnlyDictionary<string, string> users, CancellationToken cancellationToken)
    {
        var ejabberd = await EjabberdServer.StartAsync(EjabberdTarget.UploadOptions(users, FreeTcpPort.Get(), 1L << 30), cancellationToken);
        try
        {
            return (ejabberd, EjabberdTarget.VirtualMachine(ejabberd)[0]);
        }
        catch
        {
            await ejabberd.DisposeAsync();
            throw;
        }
    }

    private async Task<Measured> MeasureAsync(IXmppTestServer server, string service, int inFlight, int[] processes, CancellationToken cancellationToken)
    {
        var script = Path.Combine(RepositoryLayout.Root, "tests", "benchmarks", "slot-load.py");
        await using var client = ExternalProcess.Start(
            SlixmppClient.Python,
            [script, "--prefix", Prefix, "--domain", server.Domain, "--password", Password, "--port", server.ClientPort.ToString(CultureInfo.InvariantCulture),
             "--ca-file", server.CaCertificatePath, "--service", service, "--inflight", inFlight.ToString(CultureInfo.InvariantCulture),
             "--connections", Math.Min(inFlight, Accounts).ToString(CultureInfo.InvariantCulture),
             "--count", _maxRequests.ToString(CultureInfo.InvariantCulture), "--seconds", _measure.TotalSeconds.ToString(CultureInfo.InvariantCulture)],
            new ExternalProcessOptions { Name = "slot-load" });
        await client.WaitForOutputAsync(line => line.StartsWith("MEASURING", StringComparison.Ordinal), TimeSpan.FromMinutes(2), cancellationToken);
        var cpuBefore = processes.Select(CpuTicks).ToArray();
        var exit = await client.WaitForExitAsync(_measure + TimeSpan.FromMinutes(2), cancellationToken);
        var cpuAfter = processes.Select(CpuTicks).ToArray();
        var line = client.StandardOutput.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        if (exit != 0 || line is null)
        {
            throw new InvalidOperationException($"slot-load ended with {exit}: {client.Output}");
        }

        var result = JsonNode.Parse(line)!;
        var requests = (int)result["requests"]!;
        if ((int)result["errors"]! > 0)
        {
            // A rate made of refusals measures nothing.
            throw new InvalidOperationException($"{service} refused {result["errors"]} of {requests} slot requests: {result["first_error"]?.ToJsonString()}");
        }

        var ticksPerSecond = 100.0; // USER_HZ on Linux
        return new Measured(
            (double)result["per_second"]!,
            (double)result["p50_ms"]!,
            (double)result["p99_ms"]!,
            [.. cpuBefore.Zip(cpuAfter, (before, after) => (after - before) / ticksPerSecond * 1e6 / requests)]);
    }

    /// <summary>utime + stime of the process and its threads, in clock ticks.</summary>
    private static long CpuTicks(int processId)
    {
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        // The command name may hold spaces; the fields after its closing parenthesis are fixed.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private async Task<int> ReportAsync(
        IReadOnlyList<Pair> pairs,
        Dictionary<string, Dictionary<string, List<double>>> results,
        IReadOnlyDictionary<string, string> skipped,
        double[] loadBefore,
        double[] loadAfter,
        CancellationToken cancellationToken)
    {
        var table = new StringBuilder();
        table.AppendLine($"| measure | {string.Join(" | ", pairs.Select(pair => $"node via {pair.Server} | {pair.Title} | node / {pair.Server}"))} |");
        table.AppendLine($"| --- |{string.Concat(Enumerable.Repeat(" ---: | ---: | ---: |", pairs.Count))}");
        var json = new JsonObject();
        var metrics = pairs.SelectMany(pair => results[pair.NodeTarget].Keys.Union(results[pair.Server].Keys)).Distinct().ToList();
        foreach (var metric in metrics)
        {
            var cells = new List<string>();
            var perTarget = new JsonObject();
            foreach (var pair in pairs)
            {
                var mine = results[pair.NodeTarget].TryGetValue(metric, out var m) ? Median(m) : double.NaN;
                var theirs = results[pair.Server].TryGetValue(metric, out var t) ? Median(t) : double.NaN;
                // The node's CPU has no counterpart in the server's own module; a ratio of the server's CPU would compare routing with the module's work.
                var ratio = double.IsNaN(mine) || double.IsNaN(theirs) || metric.StartsWith("server_cpu", StringComparison.Ordinal)
                    ? string.Empty
                    : string.Create(CultureInfo.InvariantCulture, $"{mine / theirs:0.00}x");
                cells.AddRange([Format(mine), Format(theirs), ratio]);
                perTarget[pair.NodeTarget] = m is null ? null : new JsonObject { ["median"] = mine, ["runs"] = new JsonArray([.. m.Select(v => JsonValue.Create(v))]) };
                perTarget[pair.Server] = t is null ? null : new JsonObject { ["median"] = theirs, ["runs"] = new JsonArray([.. t.Select(v => JsonValue.Create(v))]) };
            }

            table.AppendLine(CultureInfo.InvariantCulture, $"| {metric} | {string.Join(" | ", cells)} |");
            json[metric] = perTarget;
        }

        var provisional = quick || loadBefore[0] > Environment.ProcessorCount / 2.0 || loadAfter[0] > Environment.ProcessorCount;
        var header = string.Create(CultureInfo.InvariantCulture,
            $"Median of {runs} run(s){(quick ? ", quick" : string.Empty)}; load average {loadBefore[0]:0.00} before, {loadAfter[0]:0.00} after, on {Environment.ProcessorCount} cores. server_cpu_us_per_slot is the XMPP server's CPU per slot (Prosody's process, ejabberd's beam.smp) in either case: routing to the component, or its own module.")
            + (provisional ? " PROVISIONAL: a quick run or a loaded machine." : string.Empty)
            + (skipped.Count > 0 ? $"\nNot run: {string.Join("; ", skipped.Select(pair => $"{pair.Key} ({pair.Value})"))}." : string.Empty);
        var document = new JsonObject
        {
            ["kind"] = "slots-side-by-side",
            ["time"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["quick"] = quick,
            ["provisional"] = provisional,
            ["runs"] = runs,
            ["machine"] = new JsonObject
            {
                ["cores"] = Environment.ProcessorCount,
                ["load_average_before"] = new JsonArray([.. loadBefore.Select(v => JsonValue.Create(v))]),
                ["load_average_after"] = new JsonArray([.. loadAfter.Select(v => JsonValue.Create(v))]),
            },
            ["skipped"] = new JsonObject([.. skipped.Select(pair => KeyValuePair.Create(pair.Key, (JsonNode?)JsonValue.Create(pair.Value)))]),
            ["results"] = json,
        };
        var directory = Path.Combine(RepositoryLayout.Root, "artifacts", "xmpp");
        Directory.CreateDirectory(directory);
        var stamp = DateTimeOffset.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(Path.Combine(directory, $"slots-{stamp}.json"), document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, $"slots-{stamp}.md"), header + "\n\n" + table, cancellationToken);
        Console.WriteLine(header);
        Console.WriteLine();
        Console.Write(table);
        Console.WriteLine();
        Console.WriteLine($"raw figures: {Path.Combine(directory, $"slots-{stamp}.json")}");
        return 0;
    }

    private static string Format(double value) => double.IsNaN(value) ? "" : value.ToString("0.##", CultureInfo.InvariantCulture);

    private static double[] LoadAverage() =>
        [.. File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Select(v => double.Parse(v, CultureInfo.InvariantCulture))];

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>
    /// One XMPP server of the run: its name (also its own module's target), the module's title in the table, why this
    /// machine cannot run it, and how to start it with the accounts (returning the process whose CPU is the server's).
    /// </summary>
    private sealed record Pair(
        string Server,
        string Title,
        Func<string?> Unavailable,
        Func<IReadOnlyDictionary<string, string>, CancellationToken, Task<(IXmppTestServer Server, int Process)>> StartAsync)
    {
        public string NodeTarget => $"node-via-{Server}";
    }

    private sealed record Measured(double PerSecond, double P50Milliseconds, double P99Milliseconds, double[] CpuMicrosecondsPerSlot);
}
