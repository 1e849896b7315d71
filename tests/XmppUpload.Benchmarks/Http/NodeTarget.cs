using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Core.Tokens;
using XmppUpload.Storage;
using XmppUpload.Storage.Sqlite;
using XmppUpload.Testing;

namespace XmppUpload.Benchmarks.Http;

/// <summary>
/// A single node with its embedded defaults (SQLite ledger, file-system store) serving plain HTTP, or HTTPS with the
/// run's test certificate through Kestrel's own endpoint configuration (README "HTTPS"). The byte path is
/// measured on its own: slots are written into the node's ledger by this process, with tokens signed by the node's
/// own keys, as a granted XEP-0363 request would leave them; the slot request over XMPP is measured elsewhere.
/// </summary>
internal sealed class NodeTarget : IHttpTarget
{
    private const string Owner = "bench@example.org";

    private readonly NodeProcess _node;
    private readonly SqliteLedger _ledger;
    private readonly SlotTokens _tokens;
    private readonly SlotUrls _urls;
    private readonly string? _caCertificatePath;

    private NodeTarget(string name, NodeProcess node, SqliteLedger ledger, SlotTokens tokens, string? caCertificatePath)
    {
        Name = name;
        _node = node;
        _ledger = ledger;
        _tokens = tokens;
        _urls = new SlotUrls(node.PublicUrl);
        _caCertificatePath = caCertificatePath;
    }

    public string Name { get; }

    /// <param name="https">The certificate to serve HTTPS with; plain HTTP when null.</param>
    public static async Task<NodeTarget> StartAsync(long maxFileSize, TestCertificates? https, CancellationToken cancellationToken)
    {
        var port = FreeTcpPort.Get();
        var settings = new Dictionary<string, string>
        {
            // The link has no server to reach: HTTP serves without it, and the retries cost nothing measurable.
            ["Xmpp:Server"] = $"127.0.0.1:{FreeTcpPort.Get().ToString(CultureInfo.InvariantCulture)}",
            ["Xmpp:Domain"] = "upload.example.org",
            ["Xmpp:Secret"] = "unused-secret",
            ["Upload:MaxFileSize"] = maxFileSize.ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:XmppUpload"] = "Warning",
        };
        if (https is not null)
        {
            // Every server of the run is addressed as 127.0.0.1 (the certificate names it), so no client pays for a
            // lookup of localhost or a first try on ::1 that the others do not.
            settings["Http:PublicUrl"] = $"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/";
        }

        var node = await NodeProcess.StartAsync(settings, waitForComponent: false, https: https, httpPort: port, cancellationToken: cancellationToken);
        try
        {
            var ledger = new SqliteLedger(Options.Create(new StorageOptions { Path = node.DataDirectory }), NullLogger<SqliteLedger>.Instance);
            var keys = await ((ISigningKeyStore)ledger).GetOrCreateKeysAsync(TimeProvider.System, cancellationToken);
            return new NodeTarget(https is null ? "node" : "node-https", node, ledger, new SlotTokens(() => keys), https?.CaCertificatePath);
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    public async Task<Upload> NewUploadAsync(long size, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var slot = new Slot
        {
            Id = SlotIds.New(),
            Owner = Owner,
            FileName = "file.bin",
            Size = size,
            Purpose = Purpose.Message,
            CreatedAt = now,
            PutDeadline = DateTimeOffset.FromUnixTimeSeconds(now.AddHours(2).ToUnixTimeSeconds()),
            ExpiresAt = now.AddDays(1),
        };
        await _ledger.CreateSlotAsync(slot, cancellationToken);
        return new Upload(_urls.For(slot.Id, slot.FileName), _tokens.Issue(slot.Id, slot.FileName, slot.Size, null, slot.PutDeadline), _caCertificatePath);
    }

    public IReadOnlyList<int> ProcessIds() => [_node.Process.Id];

    /// <summary>The operator's own way: the <c>purge</c> verb, which is safe while the node runs (README "Operator commands").</summary>
    public async Task RemoveStoredFilesAsync(CancellationToken cancellationToken)
    {
        await using var purge = ExternalProcess.Start(
            "dotnet",
            [NodeProcess.AssemblyPath, "purge", Owner, "--yes", $"--Storage:Path={_node.DataDirectory}", "--Logging:LogLevel:Default=Warning"],
            new ExternalProcessOptions
            {
                Name = "xmppupload-purge",
                WorkingDirectory = _node.DataDirectory,
                Environment = new Dictionary<string, string?> { ["DOTNET_ENVIRONMENT"] = "Production", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" },
            });
        var exit = await purge.WaitForExitAsync(TimeSpan.FromMinutes(2), cancellationToken);
        if (exit != 0)
        {
            throw new InvalidOperationException($"purge of {Owner} on {Name} ended with {exit}: {purge.Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _ledger.Dispose();
        await _node.DisposeAsync();
    }
}
