namespace XmppUpload.Benchmarks;

/// <summary>Reads a process's peak resident set size (VmHWM, kept by the kernel) from /proc.</summary>
internal sealed class RssSampler(int processId)
{
    public long PeakResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                var kib = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                return kib * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/{processId}/status has no VmHWM line.");
    }
}
