using System.Globalization;

namespace XmppUpload.Benchmarks.Http;

/// <summary>
/// Peak resident memory of a set of processes, from the kernel's own high-water mark (VmHWM), which can be reset
/// between measurements by writing 5 to /proc/PID/clear_refs (Linux 4.0 and later), so no sampling is missed.
/// </summary>
internal static class ProcessMemory
{
    public static void ResetPeaks(IEnumerable<int> processIds)
    {
        foreach (var id in processIds)
        {
            File.WriteAllText($"/proc/{id}/clear_refs", "5");
        }
    }

    /// <summary>The sum of the processes' peaks: what the server as a whole held at most (a bound, as peaks may differ in time).</summary>
    public static long PeakBytes(IEnumerable<int> processIds) => processIds.Sum(Peak);

    /// <summary>The process and its direct children (nginx's workers).</summary>
    public static IReadOnlyList<int> WithChildren(int processId)
    {
        var children = File.ReadAllText($"/proc/{processId}/task/{processId}/children")
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(id => int.Parse(id, CultureInfo.InvariantCulture));
        return [processId, .. children];
    }

    /// <summary>Every process below <paramref name="processId"/>, children before grandchildren.</summary>
    public static IReadOnlyList<int> Descendants(int processId)
    {
        var found = new List<int>();
        var next = new Queue<int>([processId]);
        while (next.TryDequeue(out var parent))
        {
            foreach (var child in WithChildren(parent).Skip(1))
            {
                found.Add(child);
                next.Enqueue(child);
            }
        }

        return found;
    }

    /// <summary>The process's command name as the kernel keeps it (at most 15 characters).</summary>
    public static string Command(int processId) => File.ReadAllText($"/proc/{processId}/comm").TrimEnd('\n');

    private static long Peak(int processId)
    {
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/{processId}/status has no VmHWM line.");
    }
}
