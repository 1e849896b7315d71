using System.Globalization;
using BenchmarkDotNet.Running;
using XmppUpload.Benchmarks;
using XmppUpload.Benchmarks.Http;
using XmppUpload.Benchmarks.Micro;

// Usage:
//   XmppUpload.Benchmarks micro [BenchmarkDotNet arguments, e.g. --filter '*Token*']   micro-benchmarks of the hot paths
//   XmppUpload.Benchmarks put-get [size in MiB, default 1024] [runs, default 3]        one node, large PUT and GET
//   XmppUpload.Benchmarks http [runs, default 3] [--quick]                               the node against nginx, HTTP bytes
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
        var quick = args.Contains("--quick");
        var httpRuns = args.Skip(1).Where(a => a != "--quick").Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(3);
        using (var cancellation = new CancellationTokenSource(TimeSpan.FromHours(3)))
        {
            return await new SideBySideRun(httpRuns, quick).RunAsync(cancellation.Token);
        }

    case "profile":
        using (var cancellation = new CancellationTokenSource(TimeSpan.FromHours(3)))
        {
            var slots = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20000;
            return await XmppUpload.Benchmarks.Profile.ProfileRun.RunAsync(slots, cancellation.Token);
        }

    default:
        Console.Error.WriteLine("usage: XmppUpload.Benchmarks micro [BenchmarkDotNet arguments] | put-get [size-MiB] [runs] | http [runs] [--quick]");
        return 2;
}
