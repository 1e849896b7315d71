using System.Globalization;
using System.Text.Json;

namespace XmppUpload.Testing;

/// <summary>
/// A real XMPP client (clients/confirm.py, slixmpp) logged in as a user, answering the XEP-0070 confirmation requests
/// it receives as told. <see cref="StopAsync"/> ends it and returns every request it saw.
/// </summary>
public sealed class ConfirmingClient : IAsyncDisposable
{
    private const string Script = "confirm.py";

    private readonly ExternalProcess _process;

    private ConfirmingClient(ExternalProcess process, string fullJid)
    {
        _process = process;
        FullJid = fullJid;
    }

    /// <summary>The full JID the client is logged in as (the resource is the one given, or "confirm").</summary>
    public string FullJid { get; }

    /// <param name="accept">Transaction ids to confirm.</param>
    /// <param name="denyOthers">Deny every other request (else leave it unanswered).</param>
    /// <param name="acceptAny">Confirm every request (for a Digest client, whose cnonce is the transaction id).</param>
    /// <param name="replyOk">Answer message requests with a plain "OK" body, as a client without XEP-0070 would.</param>
    public static async Task<ConfirmingClient> StartAsync(
        IXmppTestServer server,
        string user,
        string password,
        IEnumerable<string> accept,
        bool denyOthers = false,
        bool replyOk = false,
        bool acceptAny = false,
        string resource = "confirm",
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        List<string> arguments =
        [
            Path.Combine(RepositoryLayout.Clients, Script),
            "--jid", $"{user}@{server.Domain}",
            "--password", password,
            "--resource", resource,
            "--host", "127.0.0.1",
            "--port", server.ClientPort.ToString(CultureInfo.InvariantCulture),
            "--ca-file", server.CaCertificatePath,
            "--max-seconds", "600",
        ];
        foreach (var id in accept)
        {
            arguments.AddRange(["--accept", id]);
        }

        if (acceptAny)
        {
            arguments.Add("--accept-any");
        }

        if (denyOthers)
        {
            arguments.Add("--deny-others");
        }

        if (replyOk)
        {
            arguments.Add("--reply-ok");
        }

        var process = ExternalProcess.Start(SlixmppClient.Python, arguments, new ExternalProcessOptions
        {
            Name = Script,
            WorkingDirectory = RepositoryLayout.Clients,
            Environment = new Dictionary<string, string?> { ["PYTHONIOENCODING"] = "utf-8", ["PYTHONDONTWRITEBYTECODE"] = "1" },
        });
        try
        {
            await process.WaitForOutputAsync(line => line == "READY", TimeSpan.FromSeconds(60), cancellationToken);
            return new ConfirmingClient(process, $"{user}@{server.Domain}/{resource}");
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Ends the client (SIGTERM) and returns the requests it saw: id, method, url, via, answer.</summary>
    public async Task<IReadOnlyList<JsonElement>> StopAsync(CancellationToken cancellationToken = default)
    {
        await using (var kill = ExternalProcess.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }

        await _process.WaitForExitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        await _process.OutputClosed.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        using var document = JsonDocument.Parse(_process.StandardOutput);
        return [.. document.RootElement.GetProperty("requests").EnumerateArray().Select(request => request.Clone())];
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
