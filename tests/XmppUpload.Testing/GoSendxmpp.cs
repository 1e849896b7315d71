using System.Globalization;

namespace XmppUpload.Testing;

/// <summary>
/// Runs Debian's go-sendxmpp against an <see cref="IXmppTestServer"/>: STARTTLS on the c2s port, verifying the
/// server certificate against the test CA (Go reads SSL_CERT_FILE), with a private HOME so no user config is read.
/// </summary>
public static class GoSendxmpp
{
    public const string Executable = "/usr/bin/go-sendxmpp";

    /// <summary>
    /// <c>go-sendxmpp --debug -u user@domain -p password -j 127.0.0.1:port --http-upload file recipient</c>:
    /// discovers the upload service, requests a slot, PUTs the file (TLS to the HTTP endpoint is verified against
    /// the same CA) and sends the GET URL to <paramref name="recipient"/>. Exit code 0 on success.
    /// </summary>
    public static Task<GoSendxmppResult> SendFileAsync(
        IXmppTestServer server,
        string user,
        string password,
        string recipient,
        string filePath,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        return RunAsync(server, user, password, ["--http-upload", filePath, recipient], timeout, cancellationToken);
    }

    /// <summary>Runs go-sendxmpp logged in as user@domain with <paramref name="arguments"/> after the connection flags.</summary>
    public static async Task<GoSendxmppResult> RunAsync(
        IXmppTestServer server,
        string user,
        string password,
        IEnumerable<string> arguments,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentException.ThrowIfNullOrEmpty(password);
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        using var home = TemporaryDirectory.Create("go-sendxmpp");
        await using var process = ExternalProcess.Start(
            Executable,
            [
                "--debug",
                "--username", $"{user}@{server.Domain}",
                "--password", password,
                "--jserver", $"127.0.0.1:{server.ClientPort.ToString(CultureInfo.InvariantCulture)}",
                "--timeout", ((int)Math.Ceiling(limit.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
                .. arguments,
            ],
            new ExternalProcessOptions
            {
                Name = "go-sendxmpp",
                WorkingDirectory = home.Path,
                Environment = new Dictionary<string, string?>
                {
                    ["HOME"] = home.Path,
                    ["SSL_CERT_FILE"] = server.CaCertificatePath,
                    ["SSL_CERT_DIR"] = home.Path,
                },
            });
        var exitCode = await process.WaitForExitAsync(limit, cancellationToken);
        return new GoSendxmppResult(exitCode, process.Output);
    }
}
