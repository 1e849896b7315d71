using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using XmppUpload.Testing;

namespace XmppUpload.Benchmarks.Http;

/// <summary>
/// The node and its peers on the same machine in the same run, with the same clients: PUT throughput per size, small
/// PUTs per second with 64 clients, GET requests per second at 16 and 64 connections, large GET MB/s, and each server's
/// peak resident memory during one large upload and during many concurrent ones. Each figure is the median of the
/// runs; the servers take turns within a run, in an order rotated from run to run, so that a change in the machine's
/// load hits all of them and none always goes first or last.
/// </summary>
internal sealed class SideBySideRun(int runs, bool quick, IReadOnlyList<KnownTarget> chosen, IReadOnlyDictionary<string, string> skipped, string command)
{
    private const long KiB = 1024;
    private const long MiB = 1024 * KiB;

    // A smoke run keeps every step but with small sizes and short rates; its figures say nothing of performance.
    private readonly long[] _putSizes = quick ? [KiB, MiB, 64 * MiB] : [KiB, MiB, 100 * MiB, 1024 * MiB];
    private readonly long _large = quick ? 64 * MiB : 1024 * MiB;
    private readonly int _concurrent = quick ? 50 : 200;
    private readonly long _concurrentSize = quick ? MiB : 20 * MiB;
    private readonly TimeSpan _rateDuration = TimeSpan.FromSeconds(quick ? 2 : 10);

    // How many small-PUT URLs each target gets prepared: enough to outlast wrk at the rate it last reached (first at
    // the end of its warm-up), with a margin. Preparing them costs a slot each (for a peer, a slot request over XMPP),
    // so the fixed 60,000 of the first version took longer than the measure itself and would have dominated a run of
    // six targets; a list that still runs out is detected, discarded and measured again with a longer one.
    private readonly Dictionary<string, int> _smallPutUrls = [];
    private readonly int _firstSmallPutUrls = quick ? 4000 : 20000;
    private readonly int _warmSmallPutUrls = quick ? 1000 : 6000;
    private readonly TimeSpan _warmDuration = TimeSpan.FromSeconds(quick ? 1 : 2);
    private const double SmallPutMargin = 1.5;
    private const int SmallPutAttempts = 4;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var loadBefore = LoadAverage();
        using var work = TemporaryDirectory.Create("bench-http");
        var files = new Dictionary<long, string>();
        foreach (var size in _putSizes.Append(_concurrentSize).Append(_large).Distinct())
        {
            files[size] = work.Combine(string.Create(CultureInfo.InvariantCulture, $"payload-{size}.bin"));
            await WriteRandomFileAsync(files[size], size, cancellationToken);
        }

        // One CA and one server certificate for every HTTPS target, so they all do the same TLS work.
        var setup = new TargetSetup(2 * _large, TestCertificates.Create(work.Combine("tls"), "localhost"));
        var results = new Dictionary<string, Dictionary<string, List<double>>>();
        var turnSeconds = new Dictionary<string, List<double>>();
        var orders = new List<string[]>();
        var schemes = new Dictionary<string, string>();
        var targets = new List<IHttpTarget>();
        try
        {
            foreach (var known in chosen)
            {
                Console.Error.WriteLine($"starting {known.Name}");
                targets.Add(await known.StartAsync(setup, cancellationToken));
            }

            foreach (var target in targets)
            {
                Console.Error.WriteLine($"warming {target.Name}");
                schemes[target.Name] = await WarmAsync(target, files, work.Path, cancellationToken);
                results[target.Name] = [];
                turnSeconds[target.Name] = [];
            }

            for (var run = 0; run < runs; run++)
            {
                var order = targets.Skip(run % targets.Count).Concat(targets.Take(run % targets.Count)).ToList();
                orders.Add([.. order.Select(target => target.Name)]);
                foreach (var target in order)
                {
                    Console.Error.WriteLine($"run {run + 1}/{runs}: {target.Name} ({clock.Elapsed.TotalMinutes:0.0} min so far)");
                    var turn = Stopwatch.StartNew();
                    var figures = results[target.Name];
                    await MeasureAsync(target, files, work.Path, (metric, value) =>
                    {
                        (figures.TryGetValue(metric, out var list) ? list : figures[metric] = []).Add(value);
                    }, cancellationToken);
                    await target.RemoveStoredFilesAsync(cancellationToken);
                    turnSeconds[target.Name].Add(Math.Round(turn.Elapsed.TotalSeconds, 1));
                }
            }
        }
        finally
        {
            foreach (var target in targets)
            {
                await target.DisposeAsync();
            }
        }

        var loadAfter = LoadAverage();
        return await ReportAsync(results, new RunFacts(loadBefore, loadAfter, orders, turnSeconds, schemes, clock.Elapsed), cancellationToken);
    }

    /// <summary>
    /// Requests of every kind the measures make, before any is measured: the first requests a fresh .NET process
    /// serves pay for JIT compilation (measured first, the node's 1 KiB PUT took about 100 ms, 0.01 MB/s), and the
    /// first TLS handshakes for loading the certificate. Returns the scheme the target's URLs use.
    /// </summary>
    private async Task<string> WarmAsync(IHttpTarget target, Dictionary<long, string> files, string work, CancellationToken cancellationToken)
    {
        Upload? stored = null;
        for (var i = 0; i < 20; i++)
        {
            stored = await StoreAsync(target, files[KiB], KiB, cancellationToken);
            await Clients.GetAsync(stored, cancellationToken);
        }

        for (var round = 0; round < 2; round++)
        {
            var uploads = await target.NewUploadsAsync(64, KiB, cancellationToken);
            await Clients.ParallelPutAsync(uploads, files[KiB], work, cancellationToken);
        }

        await StoreAsync(target, files[MiB], MiB, cancellationToken);
        await Clients.WrkAsync(stored!.Url, 16, _warmDuration, null, 0, cancellationToken);

        // wrk's small PUTs as measured, which also tell how long the first measure's list must be: twice what this
        // rate needs, as a process still compiling is slower than it will be. A list that ran out here (its reused
        // URLs refused, or on nginx overwritten) says only that the target did at least the list.
        var list = await PrepareSmallPutsAsync(target, _warmSmallPutUrls, work, cancellationToken);
        var puts = await Clients.WrkAsync(list.AnyUrl, 64, _warmDuration, list.Path, (int)KiB, cancellationToken);
        _smallPutUrls[target.Name] = puts.ListExhausted
            ? Math.Max(_firstSmallPutUrls, 2 * UrlsFor(Math.Max(puts.RequestsPerSecond, _warmSmallPutUrls / _warmDuration.TotalSeconds)))
            : 2 * UrlsFor(puts.RequestsPerSecond);
        await target.RemoveStoredFilesAsync(cancellationToken);
        return stored.Url.Scheme;
    }

    private async Task MeasureAsync(IHttpTarget target, Dictionary<long, string> files, string work, Action<string, double> record, CancellationToken cancellationToken)
    {
        foreach (var size in _putSizes)
        {
            var upload = await target.NewUploadAsync(size, cancellationToken);
            record($"put_mb_s_{Label(size)}", await Clients.PutAsync(upload, files[size], cancellationToken));
        }

        var puts = await SmallPutsAsync(target, work, cancellationToken);
        record("small_put_per_s_64", puts.RequestsPerSecond);
        record("small_put_p99_ms_64", puts.P99Microseconds / 1000.0);

        foreach (var size in new[] { KiB, MiB })
        {
            var stored = await StoreAsync(target, files[size], size, cancellationToken);
            foreach (var connections in new[] { 16, 64 })
            {
                var gets = await Clients.WrkAsync(stored.Url, connections, _rateDuration, null, 0, cancellationToken);
                record($"get_per_s_{Label(size)}_{connections}", gets.RequestsPerSecond);
                record($"get_p99_ms_{Label(size)}_{connections}", gets.P99Microseconds / 1000.0);
            }
        }

        var processes = target.ProcessIds();
        ProcessMemory.ResetPeaks(processes);
        var large = await StoreAsync(target, files[_large], _large, cancellationToken);
        record($"peak_rss_mib_put_{Label(_large)}", ProcessMemory.PeakBytes(processes) / (double)MiB);
        record($"get_mb_s_{Label(_large)}", await Clients.GetAsync(large, cancellationToken));

        var uploads = await target.NewUploadsAsync(_concurrent, _concurrentSize, cancellationToken);

        processes = target.ProcessIds();
        ProcessMemory.ResetPeaks(processes);
        await Clients.ParallelPutAsync(uploads, files[_concurrentSize], work, cancellationToken);
        record($"peak_rss_mib_{_concurrent}x{Label(_concurrentSize)}", ProcessMemory.PeakBytes(processes) / (double)MiB);
    }

    /// <summary>1 KiB PUTs from 64 connections, each to a URL of its own (a slot accepts one upload).</summary>
    private async Task<WrkResult> SmallPutsAsync(IHttpTarget target, string work, CancellationToken cancellationToken)
    {
        var count = _smallPutUrls.GetValueOrDefault(target.Name, _firstSmallPutUrls);
        for (var attempt = 1; ; attempt++)
        {
            var list = await PrepareSmallPutsAsync(target, count, work, cancellationToken);
            var result = await Clients.WrkAsync(list.AnyUrl, 64, _rateDuration, list.Path, (int)KiB, cancellationToken);
            if (!result.ListExhausted)
            {
                _smallPutUrls[target.Name] = UrlsFor(result.RequestsPerSecond);
                return result;
            }

            if (attempt == SmallPutAttempts)
            {
                throw new InvalidOperationException($"{target.Name} outran {count} prepared small-PUT URLs {attempt} times.");
            }

            // The reused URLs were refused (or, on nginx, overwritten), so the rate seen says little; double at least.
            count = Math.Max(2 * count, 2 * UrlsFor(result.RequestsPerSecond));
            Console.Error.WriteLine($"  the list ran out; measuring again with {count} URLs");
        }
    }

    /// <summary>The URLs a small-PUT measure needs at <paramref name="rate"/> PUTs per second, with the margin.</summary>
    private int UrlsFor(double rate) => Math.Max(1000, (int)Math.Ceiling(rate * _rateDuration.TotalSeconds * SmallPutMargin));

    /// <summary>Writes <paramref name="count"/> new 1 KiB upload URLs as wrk-list.lua reads them ("path authorization" lines).</summary>
    private static async Task<(string Path, Uri AnyUrl)> PrepareSmallPutsAsync(IHttpTarget target, int count, string work, CancellationToken cancellationToken)
    {
        var preparing = Stopwatch.StartNew();
        var uploads = await target.NewUploadsAsync(count + 1, KiB, cancellationToken);
        var lines = uploads.Skip(1).Select(upload => $"{upload.Url.PathAndQuery} {upload.Authorization ?? "-"}");

        var list = Path.Combine(work, $"puts-{target.Name}.txt");
        await File.WriteAllLinesAsync(list, lines, cancellationToken);
        Console.Error.WriteLine($"  {count} small-PUT URLs prepared in {preparing.Elapsed.TotalSeconds:0.0} s");

        // wrk takes the scheme, host and port from this URL, which the list does not hold; the paths come from the list.
        return (list, uploads[0].Url);
    }

    private static async Task<Upload> StoreAsync(IHttpTarget target, string file, long size, CancellationToken cancellationToken)
    {
        var upload = await target.NewUploadAsync(size, cancellationToken);
        await Clients.PutAsync(upload, file, cancellationToken);
        return upload;
    }

    /// <summary>
    /// The ratio columns: the node over every other target, and the node's HTTPS over every other HTTPS target, so
    /// that TLS is compared with TLS.
    /// </summary>
    private static List<(string Mine, string Theirs)> Ratios(IReadOnlyList<string> names, IReadOnlyDictionary<string, string> schemes)
    {
        var ratios = new List<(string, string)>();
        if (names.Contains("node"))
        {
            ratios.AddRange(names.Where(name => name != "node").Select(name => ("node", name)));
        }

        if (names.Contains("node-https"))
        {
            ratios.AddRange(names.Where(name => name is not ("node" or "node-https") && schemes[name] == Uri.UriSchemeHttps).Select(name => ("node-https", name)));
        }

        return ratios;
    }

    private async Task<int> ReportAsync(Dictionary<string, Dictionary<string, List<double>>> results, RunFacts run, CancellationToken cancellationToken)
    {
        var names = chosen.Select(target => target.Name).ToList();
        var ratios = Ratios(names, run.Schemes);
        var metrics = names.SelectMany(name => results[name].Keys).Distinct().ToList();
        var table = new StringBuilder();
        table.AppendLine($"| measure | {string.Join(" | ", names.Concat(ratios.Select(ratio => $"{ratio.Mine} / {ratio.Theirs}")))} |");
        table.AppendLine($"| --- |{string.Concat(Enumerable.Repeat(" ---: |", names.Count + ratios.Count))}");
        var json = new JsonObject();
        foreach (var metric in metrics)
        {
            var medians = names.ToDictionary(name => name, name => results[name].TryGetValue(metric, out var values) ? Median(values) : (double?)null);
            var cells = names.Select(name => medians[name] is { } median ? median.ToString("0.##", CultureInfo.InvariantCulture) : "-").ToList();
            var perTarget = new JsonObject();
            foreach (var name in names.Where(name => medians[name] is not null))
            {
                perTarget[name] = new JsonObject { ["median"] = medians[name], ["runs"] = new JsonArray([.. results[name][metric].Select(v => JsonValue.Create(v))]) };
            }

            var perRatio = new JsonObject();
            foreach (var (mine, theirs) in ratios)
            {
                var ratio = medians[mine] is { } a && medians[theirs] is { } b && b != 0 ? a / b : (double?)null;
                cells.Add(ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-");
                perRatio[$"{mine} / {theirs}"] = ratio;
            }

            table.AppendLine($"| {metric} | {string.Join(" | ", cells)} |");
            json[metric] = new JsonObject { ["targets"] = perTarget, ["ratios"] = perRatio };
        }

        // A figure from a machine busy with other work is provisional: the load average says how busy it was.
        var provisional = quick || run.LoadBefore[0] > Environment.ProcessorCount / 2.0 || run.LoadAfter[0] > Environment.ProcessorCount;
        var document = new JsonObject
        {
            ["kind"] = "http-side-by-side",
            ["time"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["quick"] = quick,
            ["provisional"] = provisional,
            ["runs"] = runs,
            ["minutes"] = Math.Round(run.Elapsed.TotalMinutes, 1),
            ["machine"] = new JsonObject
            {
                ["cores"] = Environment.ProcessorCount,
                ["memory_gib"] = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (double)(1024 * MiB), 1),
                ["os"] = Environment.OSVersion.VersionString,
                ["load_average_before"] = new JsonArray([.. run.LoadBefore.Select(v => JsonValue.Create(v))]),
                ["load_average_after"] = new JsonArray([.. run.LoadAfter.Select(v => JsonValue.Create(v))]),
            },
            ["command"] = command,
            ["targets"] = new JsonObject([.. names.Select(name => KeyValuePair.Create(name, (JsonNode?)new JsonObject
            {
                ["scheme"] = run.Schemes[name],
                ["turn_seconds"] = new JsonArray([.. run.TurnSeconds[name].Select(v => JsonValue.Create(v))]),
            }))]),
            ["skipped"] = new JsonObject([.. skipped.Select(pair => KeyValuePair.Create(pair.Key, (JsonNode?)JsonValue.Create(pair.Value)))]),
            ["order"] = new JsonArray([.. run.Orders.Select(order => (JsonNode)new JsonArray([.. order.Select(name => JsonValue.Create(name))]))]),
            ["results"] = json,
        };

        var directory = Path.Combine(RepositoryLayout.Root, "artifacts", "http");
        Directory.CreateDirectory(directory);
        var stamp = DateTimeOffset.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var header = string.Create(CultureInfo.InvariantCulture,
            $"Median of {runs} run(s){(quick ? ", quick smoke sizes" : string.Empty)}, {run.Elapsed.TotalMinutes:0.0} min; load average {run.LoadBefore[0]:0.00} before, {run.LoadAfter[0]:0.00} after, on {Environment.ProcessorCount} cores.")
            + (provisional ? " PROVISIONAL: a smoke run or a loaded machine; not the node's performance." : string.Empty)
            + (skipped.Count > 0 ? $"\nNot run: {string.Join("; ", skipped.Select(pair => $"{pair.Key} ({pair.Value})"))}." : string.Empty)
            + "\nA ratio is the first target's median over the second's: above 1 the first moves more (rates, MB/s), or waits and holds more (p99, memory).";
        var jsonPath = Path.Combine(directory, $"side-by-side-{stamp}.json");
        await File.WriteAllTextAsync(jsonPath, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, $"side-by-side-{stamp}.md"), header + "\n\n" + table, cancellationToken);
        Console.WriteLine(header);
        Console.WriteLine();
        Console.Write(table);
        Console.WriteLine();
        Console.WriteLine($"raw figures: {jsonPath}");
        return 0;
    }

    private static string Label(long size) => size >= 1024 * MiB ? $"{size / (1024 * MiB)}gib" : size >= MiB ? $"{size / MiB}mib" : $"{size / KiB}kib";

    private static double[] LoadAverage() =>
        [.. File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Select(v => double.Parse(v, CultureInfo.InvariantCulture))];

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task WriteRandomFileAsync(string path, long length, CancellationToken cancellationToken)
    {
        var buffer = new byte[MiB];
        await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous);
        for (var written = 0L; written < length; written += buffer.Length)
        {
            RandomNumberGenerator.Fill(buffer);
            var count = (int)Math.Min(buffer.Length, length - written);
            await stream.WriteAsync(buffer.AsMemory(0, count), cancellationToken);
        }
    }

    /// <summary>What the report says of the run besides the figures: the machine's load, who went when, and how long it took.</summary>
    private sealed record RunFacts(
        double[] LoadBefore,
        double[] LoadAfter,
        List<string[]> Orders,
        Dictionary<string, List<double>> TurnSeconds,
        Dictionary<string, string> Schemes,
        TimeSpan Elapsed);
}
