using System.Globalization;

namespace XmppUpload.Testing;

/// <summary>
/// Sends POSIX signals to test processes, as systemd or an operator does: TERM to stop, KILL to kill. .NET can only
/// SIGKILL a whole tree on dispose, so this runs procps' kill (installed by infra/install-test-deps.sh).
/// </summary>
public static class ProcessSignals
{
    public const string Kill = "KILL";

    public const string Terminate = "TERM";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Sends <paramref name="signal"/>; throws with kill's own message when it fails (no such process...).</summary>
    public static async Task SendAsync(int processId, string signal, CancellationToken cancellationToken = default)
    {
        var pid = processId.ToString(CultureInfo.InvariantCulture);
        await using var kill = ExternalProcess.Start("kill", ["-s", signal, pid]);
        var exitCode = await kill.WaitForExitAsync(Timeout, cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"kill -s {signal} {pid} failed ({exitCode}): {kill.Output.Trim()}");
        }
    }
}
