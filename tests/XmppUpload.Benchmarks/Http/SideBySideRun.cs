using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using XmppUpload.Testing;

namespace XmppUpload.Benchmarks.Http;

/// <summary>
/// The node and nginx on the same machine in the same run, with the same clients: PUT throughput per size, small PUTs
/// per second with 64 clients, GET requests per second at 16 and 64 connections, large GET MB/s, and each server's
/// peak resident memory during one large upload and during many concurrent ones. Each figure is the median of the
/// runs; the servers take turns within a run so that a change in the machine's load hits both.
/// </summary>
internal sealed class SideBySideRun(int runs, bool quick)
{
    private const long KiB = 1024;
    private const long MiB = 1024 * KiB;

    // A smoke run keeps every step but with small sizes and short rates; its figures say nothing of performance.
    private readonly long[] _putSizes = quick ? [KiB, MiB, 64 * MiB] : [KiB, MiB, 100 * MiB, 1024 * MiB];
    private readonly long _large = quick ? 64 * MiB : 1024 * MiB;
    private readonly int _concurrent = quick ? 50 : 200;
    private readonly long _concurrentSize = quick ? MiB : 20 * MiB;
    private readonly TimeSpan _rateDuration = TimeSpan.FromSeconds(quick ? 2 : 10);
    private readonly int _smallPutSlots = quick ? 4000 : 60000;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var loadBefore = LoadAverage();
        using var work = TemporaryDirectory.Create("bench-http");
        var files = new Dictionary<long, string>();
        foreach (var size in _putSizes.Append(_concurrentSize).Append(_large).Distinct())
        {
            files[size] = work.Combine(string.Create(CultureInfo.InvariantCulture, $"payload-{size}.bin"));
            await WriteRandomFileAsync(files[size], size, cancellationToken);
        }

        var results = new Dictionary<string, Dictionary<string, List<double>>>();
        await using (var node = await NodeTarget.StartAsync(2 * _large, cancellationToken))
        await using (var nginx = await NginxTarget.StartAsync(cancellationToken))
        {
            IHttpTarget[] targets = [node, nginx];
            for (var run = 0; run < runs; run++)
            {
                // Alternate who goes first, so neither always meets a machine warmed (or tired) by the other.
                foreach (var target in run % 2 == 0 ? targets : targets.Reverse())
                {
                    Console.Error.WriteLine($"run {run + 1}/{runs}: {target.Name}");
                    var figures = results.TryGetValue(target.Name, out var known) ? known : results[target.Name] = [];
                    await MeasureAsync(target, files, work.Path, (metric, value) =>
                    {
                        (figures.TryGetValue(metric, out var list) ? list : figures[metric] = []).Add(value);
                    }, cancellationToken);
                }
            }
        }

        var loadAfter = LoadAverage();
        return await ReportAsync(results, loadBefore, loadAfter, cancellationToken);
    }

    private async Task MeasureAsync(IHttpTarget target, Dictionary<long, string> files, string work, Action<string, double> record, CancellationToken cancellationToken)
    {
        foreach (var size in _putSizes)
        {
            var upload = await target.NewUploadAsync(size, cancellationToken);
            record($"put_mb_s_{Label(size)}", await Clients.PutAsync(upload, files[size], cancellationToken));
        }

        // Small PUTs, each to a URL of its own (a slot accepts one upload); the list outlasts the run, or wrk fails it.
        var list = Path.Combine(work, $"puts-{target.Name}.txt");
        var lines = new List<string>(_smallPutSlots);
        for (var i = 0; i < _smallPutSlots; i++)
        {
            var upload = await target.NewUploadAsync(KiB, cancellationToken);
            lines.Add($"{upload.Url.PathAndQuery} {upload.Authorization ?? "-"}");
        }

        await File.WriteAllLinesAsync(list, lines, cancellationToken);
        var anyUrl = (await target.NewUploadAsync(KiB, cancellationToken)).Url;
        var puts = await Clients.WrkAsync(anyUrl, 64, _rateDuration, list, (int)KiB, cancellationToken);
        record("small_put_per_s_64", puts.RequestsPerSecond);
        record("small_put_p99_ms_64", puts.P99Microseconds / 1000.0);

        foreach (var size in new[] { KiB, MiB })
        {
            var stored = await StoreAsync(target, files[size], size, cancellationToken);
            foreach (var connections in new[] { 16, 64 })
            {
                var gets = await Clients.WrkAsync(stored, connections, _rateDuration, null, 0, cancellationToken);
                record($"get_per_s_{Label(size)}_{connections}", gets.RequestsPerSecond);
                record($"get_p99_ms_{Label(size)}_{connections}", gets.P99Microseconds / 1000.0);
            }
        }

        var processes = target.ProcessIds();
        ProcessMemory.ResetPeaks(processes);
        var large = await StoreAsync(target, files[_large], _large, cancellationToken);
        record($"peak_rss_mib_put_{Label(_large)}", ProcessMemory.PeakBytes(processes) / (double)MiB);
        record($"get_mb_s_{Label(_large)}", await Clients.GetAsync(large, cancellationToken));

        var uploads = new List<Upload>();
        for (var i = 0; i < _concurrent; i++)
        {
            uploads.Add(await target.NewUploadAsync(_concurrentSize, cancellationToken));
        }

        processes = target.ProcessIds();
        ProcessMemory.ResetPeaks(processes);
        await Clients.ParallelPutAsync(uploads, files[_concurrentSize], work, cancellationToken);
        record($"peak_rss_mib_{_concurrent}x{Label(_concurrentSize)}", ProcessMemory.PeakBytes(processes) / (double)MiB);
    }

    private static async Task<Uri> StoreAsync(IHttpTarget target, string file, long size, CancellationToken cancellationToken)
    {
        var upload = await target.NewUploadAsync(size, cancellationToken);
        await Clients.PutAsync(upload, file, cancellationToken);
        return upload.Url;
    }

    private async Task<int> ReportAsync(Dictionary<string, Dictionary<string, List<double>>> results, double[] loadBefore, double[] loadAfter, CancellationToken cancellationToken)
    {
        var node = results["node"];
        var nginx = results["nginx"];
        var table = new StringBuilder();
        table.AppendLine("| measure | node | nginx | node / nginx |");
        table.AppendLine("| --- | ---: | ---: | ---: |");
        var json = new JsonObject();
        foreach (var metric in node.Keys)
        {
            var mine = Median(node[metric]);
            var theirs = Median(nginx[metric]);
            table.AppendLine(CultureInfo.InvariantCulture, $"| {metric} | {mine:0.##} | {theirs:0.##} | {mine / theirs:0.00}x |");
            json[metric] = new JsonObject
            {
                ["node"] = new JsonObject { ["median"] = mine, ["runs"] = new JsonArray([.. node[metric].Select(v => JsonValue.Create(v))]) },
                ["nginx"] = new JsonObject { ["median"] = theirs, ["runs"] = new JsonArray([.. nginx[metric].Select(v => JsonValue.Create(v))]) },
                ["ratio"] = mine / theirs,
            };
        }

        // A figure from a machine busy with other work is provisional: the load average says how busy it was.
        var provisional = quick || loadBefore[0] > Environment.ProcessorCount / 2.0 || loadAfter[0] > Environment.ProcessorCount;
        var document = new JsonObject
        {
            ["kind"] = "http-side-by-side",
            ["time"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["quick"] = quick,
            ["provisional"] = provisional,
            ["runs"] = runs,
            ["machine"] = new JsonObject
            {
                ["cores"] = Environment.ProcessorCount,
                ["memory_gib"] = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (double)(1024 * MiB), 1),
                ["os"] = Environment.OSVersion.VersionString,
                ["load_average_before"] = new JsonArray([.. loadBefore.Select(v => JsonValue.Create(v))]),
                ["load_average_after"] = new JsonArray([.. loadAfter.Select(v => JsonValue.Create(v))]),
            },
            ["command"] = "tests/benchmarks/http-side-by-side.sh" + (runs != 3 ? $" {runs}" : string.Empty) + (quick ? " --quick" : string.Empty),
            ["results"] = json,
        };

        var directory = Path.Combine(RepositoryLayout.Root, "artifacts", "http");
        Directory.CreateDirectory(directory);
        var stamp = DateTimeOffset.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var header = string.Create(CultureInfo.InvariantCulture,
            $"Median of {runs} run(s){(quick ? ", quick smoke sizes" : string.Empty)}; load average {loadBefore[0]:0.00} before, {loadAfter[0]:0.00} after, on {Environment.ProcessorCount} cores.")
            + (provisional ? " PROVISIONAL: a smoke run or a loaded machine; not the node's performance." : string.Empty);
        await File.WriteAllTextAsync(Path.Combine(directory, $"side-by-side-{stamp}.json"), document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, $"side-by-side-{stamp}.md"), header + "\n\n" + table, cancellationToken);
        Console.WriteLine(header);
        Console.WriteLine();
        Console.Write(table);
        Console.WriteLine();
        Console.WriteLine($"raw figures: {Path.Combine(directory, $"side-by-side-{stamp}.json")}");
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
}
