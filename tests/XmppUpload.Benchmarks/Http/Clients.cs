using System.Globalization;
using XmppUpload.Testing;

namespace XmppUpload.Benchmarks.Http;

/// <summary>
/// The clients every server gets alike: curl for single large transfers and for many parallel ones, wrk for request
/// rates. curl verifies an https server against the upload's CA; wrk verifies nothing, which costs it nothing either.
/// </summary>
internal static class Clients
{
    /// <summary>One PUT of <paramref name="file"/>; MB/s (10^6 bytes per second) as curl measures it.</summary>
    public static Task<double> PutAsync(Upload upload, string file, CancellationToken cancellationToken) =>
        CurlAsync(["-sS", "-o", "/dev/null", "-w", "%{http_code} %{speed_upload}", "-X", "PUT", "-T", file, "-H", "Expect:",
            .. Authorization(upload), .. Trust(upload), upload.Url.AbsoluteUri], cancellationToken);

    /// <summary>One GET of the file stored at the upload's URL; MB/s as curl measures it.</summary>
    public static Task<double> GetAsync(Upload stored, CancellationToken cancellationToken) =>
        CurlAsync(["-sS", "-o", "/dev/null", "-w", "%{http_code} %{speed_download}", .. Trust(stored), stored.Url.AbsoluteUri], cancellationToken);

    /// <summary>All the uploads at once (curl --parallel, one connection each); throws unless every one succeeded.</summary>
    public static async Task ParallelPutAsync(IReadOnlyList<Upload> uploads, string file, string work, CancellationToken cancellationToken)
    {
        var config = Path.Combine(work, "parallel.curl");
        // Options after "next" start a new transfer; none follows the last one, or curl finds a transfer with no URL.
        await File.WriteAllLinesAsync(config, uploads.SelectMany((upload, index) => new[]
        {
            $"url = \"{upload.Url.AbsoluteUri}\"",
            $"upload-file = \"{file}\"",
            "output = \"/dev/null\"",
            "write-out = \"%{http_code}\\n\"",
            "header = \"Expect:\"",
            upload.Authorization is null ? string.Empty : $"header = \"Authorization: {upload.Authorization}\"",
            upload.CaCertificatePath is null ? string.Empty : $"cacert = \"{upload.CaCertificatePath}\"",
            index < uploads.Count - 1 ? "next" : string.Empty,
        }), cancellationToken);
        await using var curl = ExternalProcess.Start(
            "curl",
            ["-sS", "--parallel", "--parallel-immediate", "--parallel-max", uploads.Count.ToString(CultureInfo.InvariantCulture), "-K", config],
            new ExternalProcessOptions { Name = "curl" });
        var exit = await curl.WaitForExitAsync(TimeSpan.FromMinutes(20), cancellationToken);
        var codes = curl.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (exit != 0 || codes.Length != uploads.Count || codes.Any(code => code is not ("201" or "204")))
        {
            throw new InvalidOperationException($"parallel curl ended with {exit}: {curl.Output[..Math.Min(2000, curl.Output.Length)]}");
        }
    }

    /// <summary>
    /// wrk with the shared script: GETs of <paramref name="url"/>, or PUTs of <paramref name="putBody"/> bytes to the
    /// list's URLs. Throws if any answer was not 2xx, so a rate is never made of refusals, unless the list ran out
    /// (<see cref="WrkResult.ListExhausted"/>): then the URLs were used twice, and the caller retries with a longer list.
    /// </summary>
    public static async Task<WrkResult> WrkAsync(Uri url, int connections, TimeSpan duration, string? list, int putBody, CancellationToken cancellationToken)
    {
        const int Threads = 2;
        var script = Path.Combine(RepositoryLayout.Root, "tests", "benchmarks", "wrk-list.lua");
        await using var wrk = ExternalProcess.Start(
            "wrk",
            ["-t", Threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
             "-d", string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalSeconds}s"), "--timeout", "10s", "-s", script, url.AbsoluteUri,
             "--", list ?? "-", putBody.ToString(CultureInfo.InvariantCulture), Threads.ToString(CultureInfo.InvariantCulture)],
            new ExternalProcessOptions { Name = "wrk" });
        var exit = await wrk.WaitForExitAsync(duration + TimeSpan.FromMinutes(1), cancellationToken);
        var line = wrk.StandardOutput.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (exit != 0 || line is null)
        {
            throw new InvalidOperationException($"wrk ended with {exit}: {wrk.Output}");
        }

        var f = line.Split(' ').Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var exhausted = f[6] > 0;
        if (!exhausted && (f[1] != 0 || f[5] != 0))
        {
            throw new InvalidOperationException($"wrk saw {f[1]} answers that were not 2xx and {f[5]} socket errors: {wrk.Output}");
        }

        return new WrkResult(f[0] / (f[2] / 1e6), f[3], f[4], exhausted);
    }

    private static string[] Authorization(Upload upload) => upload.Authorization is null ? [] : ["-H", $"Authorization: {upload.Authorization}"];

    private static string[] Trust(Upload upload) => upload.CaCertificatePath is null ? [] : ["--cacert", upload.CaCertificatePath];

    private static async Task<double> CurlAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        await using var curl = ExternalProcess.Start("curl", arguments, new ExternalProcessOptions { Name = "curl" });
        // Prosody's module takes about 3 MB/s on a 2-core machine: a 1 GiB PUT or GET may take over ten minutes.
        var exit = await curl.WaitForExitAsync(TimeSpan.FromMinutes(30), cancellationToken);
        var fields = curl.StandardOutput.Trim().Split(' ');
        if (exit != 0 || fields.Length != 2 || fields[0] is not ("200" or "201" or "204"))
        {
            throw new InvalidOperationException($"curl {string.Join(' ', arguments)} ended with {exit}: {curl.Output}");
        }

        return double.Parse(fields[1], CultureInfo.InvariantCulture) / 1_000_000;
    }
}

/// <summary>
/// What wrk measured: successful requests per second and latency percentiles in microseconds; with a list of URLs,
/// whether it ran out and reused some, which makes the figures worthless.
/// </summary>
internal sealed record WrkResult(double RequestsPerSecond, long P50Microseconds, long P99Microseconds, bool ListExhausted);
