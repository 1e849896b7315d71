using XmppUpload.Testing;

namespace XmppUpload.Benchmarks.Http;

/// <summary>What the run gives every target it starts: the largest file it must accept, and the certificate to serve HTTPS with.</summary>
internal sealed record TargetSetup(long MaxFileSize, TestCertificates Certificates);

/// <summary>A server the run knows: its name in <c>--targets</c>, why this machine cannot run it (<c>null</c> when it can), and how to start it.</summary>
internal sealed record KnownTarget(string Name, Func<string?> Unavailable, Func<TargetSetup, CancellationToken, Task<IHttpTarget>> StartAsync);

/// <summary>Every server the side-by-side run can drive, in the order of the table's columns.</summary>
internal static class HttpTargets
{
    public static IReadOnlyList<KnownTarget> All { get; } =
    [
        new("node", () => null, async (setup, token) => await NodeTarget.StartAsync(setup.MaxFileSize, https: null, token)),
        new("node-https", () => null, async (setup, token) => await NodeTarget.StartAsync(setup.MaxFileSize, setup.Certificates, token)),
        new("nginx", NginxTarget.Unavailable, async (_, token) => await NginxTarget.StartAsync(https: null, token)),
        new("nginx-https", NginxTarget.Unavailable, async (setup, token) => await NginxTarget.StartAsync(setup.Certificates, token)),
        new("prosody", ProsodyTarget.Unavailable, (setup, token) => ProsodyTarget.StartAsync(setup.MaxFileSize, token)),
        new("ejabberd", EjabberdTarget.Unavailable, (setup, token) => EjabberdTarget.StartAsync(setup.MaxFileSize, token)),
    ];

    /// <summary>
    /// The targets named in <paramref name="names"/> (comma-separated, in the order of <see cref="All"/>), or every
    /// available one when it is null; <paramref name="skipped"/> says which were left out and why. Throws with a clear
    /// message for a name the run does not know or a named target this machine cannot run.
    /// </summary>
    public static IReadOnlyList<KnownTarget> Select(string? names, out IReadOnlyDictionary<string, string> skipped)
    {
        var left = new Dictionary<string, string>(StringComparer.Ordinal);
        skipped = left;
        if (names is null)
        {
            var available = new List<KnownTarget>();
            foreach (var target in All)
            {
                if (target.Unavailable() is { } reason)
                {
                    left[target.Name] = reason;
                }
                else
                {
                    available.Add(target);
                }
            }

            return available;
        }

        var wanted = names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        var unknown = wanted.Where(name => All.All(target => target.Name != name)).ToList();
        if (unknown.Count > 0 || wanted.Count == 0)
        {
            throw new ArgumentException($"--targets takes names from: {string.Join(", ", All.Select(target => target.Name))}; unknown: '{string.Join("', '", unknown)}'.");
        }

        var chosen = All.Where(target => wanted.Contains(target.Name)).ToList();
        var missing = chosen.Select(target => (target.Name, Reason: target.Unavailable())).Where(pair => pair.Reason is not null).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"cannot run {string.Join("; ", missing.Select(pair => $"{pair.Name}: {pair.Reason}"))}.");
        }

        foreach (var target in All.Except(chosen))
        {
            left[target.Name] = "not in --targets";
        }

        return chosen;
    }
}
