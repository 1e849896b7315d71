using XmppUpload.Testing;

namespace XmppUpload.Node.Tests.Support;

/// <summary>What one run of <c>XmppUpload.Node &lt;verb&gt;</c> printed and returned.</summary>
public sealed record VerbRun(int ExitCode, string StandardOutput, string StandardError)
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Runs the real node executable with <paramref name="args"/> and (unless they hold one) <c>--Storage:Path</c>
    /// pointing at <paramref name="dataDirectory"/>, from that directory (so no appsettings.json of ours is read), and waits for it to exit.
    /// </summary>
    public static async Task<VerbRun> StartAsync(string dataDirectory, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { NodeProcess.AssemblyPath };
        arguments.AddRange(args);
        if (!arguments.Any(a => a.StartsWith("--Storage:Path=", StringComparison.Ordinal)))
        {
            arguments.Add($"--Storage:Path={dataDirectory}");
        }
        await using var process = ExternalProcess.Start("dotnet", arguments, new ExternalProcessOptions
        {
            Name = "xmppupload-node-verb",
            WorkingDirectory = dataDirectory,
            Environment = new Dictionary<string, string?>
            {
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            },
        });
        var exitCode = await process.WaitForExitAsync(ExitTimeout, cancellationToken);
        return new VerbRun(exitCode, process.StandardOutput, process.StandardError);
    }

    public override string ToString() =>
        $"exit code {ExitCode}{Environment.NewLine}--- stdout ---{Environment.NewLine}{StandardOutput}--- stderr ---{Environment.NewLine}{StandardError}";
}
