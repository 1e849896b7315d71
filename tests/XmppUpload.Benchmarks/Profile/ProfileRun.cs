using System.Globalization;
using System.Security.Cryptography;
using XmppUpload.Benchmarks.Http;
using XmppUpload.Testing;

namespace XmppUpload.Benchmarks.Profile;

/// <summary>
/// A node left running for a profiler: stores a 1 KiB and a 1 MiB file, writes a list of fresh 1 KiB upload URLs for
/// wrk (tests/benchmarks/wrk-list.lua), prints the node's pid and the URLs, and stops when standard input closes.
/// Start it with DOTNET_PerfMapEnabled=1 in the environment so that perf can name the JIT-compiled frames.
/// </summary>
internal static class ProfileRun
{
    public static async Task<int> RunAsync(int putSlots, CancellationToken cancellationToken)
    {
        using var work = TemporaryDirectory.Create("bench-profile");
        await using var node = await NodeTarget.StartAsync(64L * 1024 * 1024, https: null, cancellationToken);
        foreach (var size in new[] { 1024L, 1024L * 1024 })
        {
            var file = work.Combine(string.Create(CultureInfo.InvariantCulture, $"payload-{size}.bin"));
            await File.WriteAllBytesAsync(file, RandomNumberGenerator.GetBytes((int)size), cancellationToken);
            var upload = await node.NewUploadAsync(size, cancellationToken);
            await Clients.PutAsync(upload, file, cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"GET {size} {upload.Url.AbsoluteUri}"));
        }

        var list = work.Combine("puts.txt");
        var lines = new List<string>(putSlots);
        for (var i = 0; i < putSlots; i++)
        {
            var upload = await node.NewUploadAsync(1024, cancellationToken);
            lines.Add($"{upload.Url.PathAndQuery} {upload.Authorization}");
        }

        await File.WriteAllLinesAsync(list, lines, cancellationToken);
        Console.WriteLine($"PUTS {list}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PID {node.ProcessIds()[0]}"));
        Console.WriteLine("running; close standard input to stop");
        await Console.In.ReadToEndAsync(cancellationToken);
        return 0;
    }
}
