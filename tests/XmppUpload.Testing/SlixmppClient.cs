namespace XmppUpload.Testing;

/// <summary>
/// Runs the python clients in tests/XmppUpload.Interop.Tests/clients with Debian's python3-slixmpp, logged in as one
/// account of an <see cref="IXmppTestServer"/> and trusting its CA. upload.py prints one JSON object on stdout
/// (<see cref="ClientRunResult.Json"/>) and exits 0 on success, 1 on connect/TLS/auth/timeout failures, 3 when the
/// slot request (or --require-service disco) got an IQ error, 4 when the PUT/GET failed or the bytes differ.
/// </summary>
public sealed class SlixmppClient
{
    /// <summary>Debian's interpreter, which has python3-slixmpp (not a pyenv python that may be first on PATH).</summary>
    public const string Python = "/usr/bin/python3";

    public const string UploadScript = "upload.py";

    public const string FakeComponentScript = "fake_component.py";

    private readonly IXmppTestServer _server;

    public SlixmppClient(IXmppTestServer server, string user, string password)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentException.ThrowIfNullOrEmpty(password);
        _server = server;
        Jid = $"{user}@{server.Domain}";
        Password = password;
    }

    public string Jid { get; }

    public string Password { get; }

    /// <summary>Kill the script and fail after this long.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>PEM file trusted for STARTTLS and HTTPS; the server's CA when not set.</summary>
    public string? CaFile { get; init; }

    /// <summary>Log the whole XML stream to stderr.</summary>
    public bool Debug { get; init; }

    /// <summary><c>upload.py disco</c>: disco#items of the server and disco#info of each item.</summary>
    public Task<ClientRunResult> DiscoAsync(CancellationToken cancellationToken = default) =>
        RunAsync("disco", [], cancellationToken);

    /// <summary><c>upload.py upload</c>: discover (or <paramref name="service"/>), request a slot, PUT, GET, compare.</summary>
    public Task<ClientRunResult> UploadAsync(SlixmppUpload upload, string? service = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upload);
        return RunAsync("upload", [.. ServiceArguments(service), .. upload.ToArguments()], cancellationToken);
    }

    /// <summary>
    /// <c>upload.py raw-iq</c>: sends an IQ whose children are <paramref name="payloadXml"/> (zero or more elements) to
    /// <paramref name="to"/> (the discovered upload service when null) and reports the raw answer.
    /// </summary>
    public Task<ClientRunResult> RawIqAsync(string payloadXml, string? to = null, string type = "get", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payloadXml);
        List<string> arguments = ["--type", type, "--payload", payloadXml];
        if (to is not null)
        {
            arguments.AddRange(["--to", to]);
        }

        return RunAsync("raw-iq", arguments, cancellationToken);
    }

    /// <summary>
    /// Logs in and waits (in the background) for one message, as the recipient of a shared file does; returns once
    /// the session is up, so that a message sent afterwards is not missed.
    /// </summary>
    public async Task<MessageReceiver> StartReceivingAsync(TimeSpan wait, CancellationToken cancellationToken = default)
    {
        var process = ExternalProcess.Start(
            Python,
            [Path.Combine(RepositoryLayout.Clients, UploadScript), .. ConnectionArguments("receive"), "--wait", wait.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            ScriptOptions(UploadScript));
        try
        {
            await process.WaitForOutputAsync(line => line == "READY", Timeout, cancellationToken);
            return new MessageReceiver(process, wait + Timeout);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// <c>upload.py slot-stream</c>: logs in and requests a slot from <paramref name="service"/> every
    /// <paramref name="interval"/> for <paramref name="duration"/>, each on its own, with <paramref name="iqTimeout"/>
    /// per answer. Returns once the session is up; the process reports each request on its output as
    /// <c>SENT n</c>, then <c>SLOT n ok</c>, <c>SLOT n error condition</c> or <c>SLOT n timeout</c>.
    /// </summary>
    public async Task<ExternalProcess> StartSlotStreamAsync(string service, TimeSpan interval, TimeSpan duration, TimeSpan iqTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        var process = ExternalProcess.Start(
            Python,
            [
                Path.Combine(RepositoryLayout.Clients, UploadScript), .. ConnectionArguments("slot-stream"),
                "--service", service,
                "--interval", interval.TotalSeconds.ToString(invariant),
                "--seconds", duration.TotalSeconds.ToString(invariant),
                "--iq-timeout", iqTimeout.TotalSeconds.ToString(invariant),
            ],
            ScriptOptions(UploadScript));
        try
        {
            await process.WaitForOutputAsync(line => line == "READY", Timeout, cancellationToken);
            return process;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs an upload.py subcommand with this account's connection arguments followed by <paramref name="arguments"/>.</summary>
    public Task<ClientRunResult> RunAsync(string command, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        List<string> all = [.. ConnectionArguments(command), .. arguments];
        return RunScriptAsync(UploadScript, all, Timeout, cancellationToken);
    }

    private List<string> ConnectionArguments(string command)
    {
        List<string> all =
        [
            command,
            "--jid", Jid,
            "--password", Password,
            "--host", "127.0.0.1",
            "--port", _server.ClientPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--ca-file", CaFile ?? _server.CaCertificatePath,
        ];
        if (Debug)
        {
            all.Add("--debug");
        }

        return all;
    }

    private static ExternalProcessOptions ScriptOptions(string script) => new()
    {
        Name = script,
        WorkingDirectory = RepositoryLayout.Clients,
        Environment = new Dictionary<string, string?> { ["PYTHONIOENCODING"] = "utf-8", ["PYTHONDONTWRITEBYTECODE"] = "1" },
    };

    /// <summary>Runs <c>/usr/bin/python3 clients/{script} {arguments}</c> to completion (killed after <paramref name="timeout"/>).</summary>
    /// <exception cref="TimeoutException">The script did not finish in time; the message holds its output.</exception>
    public static async Task<ClientRunResult> RunScriptAsync(string script, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(script);
        await using var process = ExternalProcess.Start(
            Python,
            [Path.Combine(RepositoryLayout.Clients, script), .. arguments],
            ScriptOptions(script));
        var exitCode = await process.WaitForExitAsync(timeout, cancellationToken);
        return new ClientRunResult(script, exitCode, process.StandardOutput, process.StandardError);
    }

    private static IEnumerable<string> ServiceArguments(string? service) => service is null ? [] : ["--service", service];
}
