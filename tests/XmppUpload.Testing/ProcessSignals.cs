using System.Diagnostics;
using System.Globalization;

namespace XmppUpload.Testing;

/// <summary>
/// Sends POSIX signals to test processes, as systemd or an operator does: TERM to stop, KILL to kill. .NET can only
/// SIGKILL (<see cref="Process.Kill()"/>), so this runs procps' kill (installed by infra/install-test-deps.sh).
/// </summary>
public static class ProcessSignals
{
    public const string Kill = "KILL";

    public const string Terminate = "TERM";

    public static async Task SendAsync(int processId, string signal, CancellationToken cancellationToken = default)
    {
        var startInfo = new ProcessStartInfo("kill") { RedirectStandardError = true, UseShellExecute = false };
        startInfo.ArgumentList.Add("-s");
        startInfo.ArgumentList.Add(signal);
        startInfo.ArgumentList.Add(processId.ToString(CultureInfo.InvariantCulture));
        using var kill = Process.Start(startInfo) ?? throw new InvalidOperationException("kill could not be started.");
        var error = await kill.StandardError.ReadToEndAsync(cancellationToken);
        await kill.WaitForExitAsync(cancellationToken);
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -s {signal} {processId} failed ({kill.ExitCode}): {error.Trim()}");
        }
    }
}
