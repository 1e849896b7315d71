using System.Globalization;
using BenchmarkDotNet.Running;
using XmppUpload.Benchmarks;
using XmppUpload.Benchmarks.Http;
using XmppUpload.Benchmarks.Micro;

// Usage:
//   XmppUpload.Benchmarks micro [BenchmarkDotNet arguments, e.g. --filter '*Token*']   micro-benchmarks of the hot paths
//   XmppUpload.Benchmarks put-get [size in MiB, default 1024] [runs, default 3]        one node, large PUT and GET
//   XmppUpload.Benchmarks http [runs, default 3] [--quick] [--targets a,b,...]          the node against its peers and nginx, HTTP bytes
//   XmppUpload.Benchmarks slots [runs, default 3] [--quick]                            slot requests: the node against Prosody's and ejabberd's modules
switch (args.FirstOrDefault())
{
    case "micro":
        var micro = args[1..];
        // Without a filter BenchmarkDotNet asks on the console which benchmarks to run; the command runs them all.
        if (!micro.Contains("--filter"))
        {
            micro = [.. micro, "--filter", "*"];
        }

        var summaries = BenchmarkSwitcher
            .FromTypes([typeof(TokenBenchmarks), typeof(SlotRequestBenchmarks), typeof(StanzaBenchmarks), typeof(LedgerBenchmarks), typeof(PutBenchmarks)])
            .Run(micro, MicroConfig.Create(Path.Combine("artifacts", "micro")));
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;

    case "put-get":
        var sizeMiB = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 1024;
        var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        using (var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(30)))
        {
            return await new PutGetRun(sizeMiB * 1024 * 1024, runs).RunAsync(cancellation.Token);
        }

    case "http":
        var quick = false;
        string? targetNames = null;
        var httpRuns = 3;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--targets" when i + 1 < args.Length:
                    targetNames = args[++i];
                    break;
                case var number when int.TryParse(number, CultureInfo.InvariantCulture, out var parsed) && parsed > 0:
                    httpRuns = parsed;
                    break;
                default:
                    Console.Error.WriteLine($"http: unknown argument '{args[i]}'; usage: http [runs] [--quick] [--targets a,b,...]");
                    return 2;
            }
        }

        IReadOnlyList<KnownTarget> targets;
        IReadOnlyDictionary<string, string> skipped;
        try
        {
            targets = HttpTargets.Select(targetNames, out skipped);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        var command = "tests/benchmarks/http-side-by-side.sh" + (httpRuns != 3 ? $" {httpRuns}" : string.Empty) + (quick ? " --quick" : string.Empty)
            + (targetNames is null ? string.Empty : $" --targets {targetNames}");
        // A full run of six targets should take about 85 minutes, half of it Prosody's slow byte path (estimate in
        // tests/benchmarks/http-side-by-side.sh); one that passes 150 runs on a machine too busy for its figures to mean
        // anything, so it stops rather than hold the machine.
        var limit = TimeSpan.FromMinutes(150) * Math.Max(1, httpRuns / 3.0);
        using (var cancellation = new CancellationTokenSource(limit))
        {
            try
            {
                return await new SideBySideRun(httpRuns, quick, targets, skipped, command).RunAsync(cancellation.Token);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                Console.Error.WriteLine($"http: stopped after {limit.TotalMinutes:0} minutes; the machine is too busy for a side-by-side run (see the load average).");
                return 1;
            }
        }

    case "slots":
        var slotQuick = args.Contains("--quick");
        var slotRuns = args.Skip(1).Where(a => a != "--quick").Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(3);
        using (var cancellation = new CancellationTokenSource(TimeSpan.FromHours(1)))
        {
            return await new XmppUpload.Benchmarks.Slots.SlotSideBySideRun(slotRuns, slotQuick).RunAsync(cancellation.Token);
        }

    case "profile":
        using (var cancellation = new CancellationTokenSource(TimeSpan.FromHours(3)))
        {
            var slots = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20000;
            return await XmppUpload.Benchmarks.Profile.ProfileRun.RunAsync(slots, cancellation.Token);
        }

    default:
        Console.Error.WriteLine("usage: XmppUpload.Benchmarks micro [BenchmarkDotNet arguments] | put-get [size-MiB] [runs] | http [runs] [--quick] [--targets a,b,...] | slots [runs] [--quick]");
        return 2;
}
