using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using XmppUpload.Testing;

namespace XmppUpload.Benchmarks;

/// <summary>
/// One large PUT and GET through a real node attached to a real Prosody, on loopback: the slot comes over XMPP
/// (slixmpp), the bytes go with curl, and the node's resident memory is sampled from /proc while they move.
/// </summary>
internal sealed class PutGetRun(long size, int runs)
{
    private const string User = "bench";
    private const string Password = "bench-password";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var work = TemporaryDirectory.Create("bench");
        var file = Path.Combine(work.Path, "payload.bin");
        await WriteRandomFileAsync(file, size, cancellationToken);

        await using var prosody = await ProsodyServer.StartAsync(
            new ProsodyOptions { Users = new Dictionary<string, string> { [User] = Password } }, cancellationToken);
        await using var node = await NodeProcess.StartAsync(
            new Dictionary<string, string>
            {
                ["Xmpp:Server"] = $"127.0.0.1:{prosody.ComponentPort.ToString(CultureInfo.InvariantCulture)}",
                ["Xmpp:Domain"] = prosody.ComponentDomain,
                ["Xmpp:Secret"] = prosody.ComponentSecret,
                ["Upload:MaxFileSize"] = (size * 2).ToString(CultureInfo.InvariantCulture),
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:XmppUpload"] = "Information",
            },
            cancellationToken: cancellationToken);

        // The slot request only needs the size; a small stand-in file keeps the client from reading the payload.
        var standIn = Path.Combine(work.Path, "stand-in.bin");
        await File.WriteAllBytesAsync(standIn, [0], cancellationToken);
        var client = new SlixmppClient(prosody, User, Password) { CaFile = prosody.CaCertificatePath };
        var sampler = new RssSampler(node.Process.Id);
        var puts = new List<double>();
        var gets = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var slot = await client.UploadAsync(
                new SlixmppUpload { FilePath = standIn, Size = size, Name = $"payload-{run}.bin", SlotOnly = true },
                service: prosody.ComponentDomain,
                cancellationToken: cancellationToken);
            var (putUrl, authorization) = ReadSlot(slot);

            puts.Add(await CurlAsync(
                ["-sS", "-o", "/dev/null", "-w", "%{http_code} %{speed_upload}", "-X", "PUT", "-T", file,
                 "-H", $"Authorization: {authorization}", "-H", "Expect:", putUrl],
                expectedStatus: "201",
                cancellationToken));
            gets.Add(await CurlAsync(
                ["-sS", "-o", "/dev/null", "-w", "%{http_code} %{speed_download}", putUrl],
                expectedStatus: "200",
                cancellationToken));
        }

        var peak = sampler.PeakResidentBytes();
        var limit = 200L * 1024 * 1024;
        Console.WriteLine($"file size:          {size / (1024.0 * 1024):F0} MiB, {runs} run(s), node and curl on loopback");
        Console.WriteLine($"PUT throughput:     {Median(puts):F0} MB/s median ({string.Join(", ", puts.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))})");
        Console.WriteLine($"GET throughput:     {Median(gets):F0} MB/s median ({string.Join(", ", gets.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))})");
        Console.WriteLine($"node peak RSS:      {peak / (1024.0 * 1024):F1} MiB (VmHWM; limit {limit / (1024 * 1024)} MiB: {(peak < limit ? "within" : "OVER")})");
        return peak < limit ? 0 : 1;
    }

    private static (string PutUrl, string Authorization) ReadSlot(ClientRunResult result)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"The slot request failed: {result}");
        }

        var json = result.Json;
        var putUrl = json.GetProperty("put_url").GetString()!;
        if (json.GetProperty("put_headers").TryGetProperty("Authorization", out var authorization))
        {
            return (putUrl, authorization.GetString()!);
        }

        throw new InvalidOperationException($"The slot has no Authorization header: {json}");
    }

    private static async Task<double> CurlAsync(IReadOnlyList<string> arguments, string expectedStatus, CancellationToken cancellationToken)
    {
        await using var curl = ExternalProcess.Start("curl", arguments, new ExternalProcessOptions { Name = "curl" });
        var exit = await curl.WaitForExitAsync(TimeSpan.FromMinutes(10), cancellationToken);
        var fields = curl.StandardOutput.Trim().Split(' ');
        if (exit != 0 || fields.Length != 2 || fields[0] != expectedStatus)
        {
            throw new InvalidOperationException($"curl {string.Join(' ', arguments)} ended with {exit}: {curl.Output}");
        }

        // curl reports bytes per second; MB/s here is 10^6 bytes per second.
        return double.Parse(fields[1], CultureInfo.InvariantCulture) / 1_000_000;
    }

    private static async Task WriteRandomFileAsync(string path, long length, CancellationToken cancellationToken)
    {
        var buffer = new byte[1024 * 1024];
        await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous);
        for (var written = 0L; written < length; written += buffer.Length)
        {
            RandomNumberGenerator.Fill(buffer);
            var count = (int)Math.Min(buffer.Length, length - written);
            await stream.WriteAsync(buffer.AsMemory(0, count), cancellationToken);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
