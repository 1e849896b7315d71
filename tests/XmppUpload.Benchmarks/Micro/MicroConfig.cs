using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace XmppUpload.Benchmarks.Micro;

/// <summary>
/// One short job for every micro-benchmark: in process (no generated project to build, so a run of all of them takes
/// minutes), a few warm-up and measured iterations, allocations counted, results also written as JSON.
/// </summary>
internal static class MicroConfig
{
    public static IConfig Create(string artifacts) =>
        DefaultConfig.Instance
            .AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(7)
                .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
                .AsDefault())
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddExporter(JsonExporter.Full)
            .WithArtifactsPath(artifacts)
            .WithOptions(ConfigOptions.JoinSummary);
}
