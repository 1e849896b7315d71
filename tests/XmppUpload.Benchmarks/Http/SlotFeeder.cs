using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using XmppUpload.Testing;

namespace XmppUpload.Benchmarks.Http;

/// <summary>
/// Upload URLs from real XEP-0363 slot requests, for a peer that grants them only over XMPP: one long-lived
/// tests/benchmarks/slot-feeder.py (python3-slixmpp) logged in to the peer's server, asked for a batch at a time, so a
/// list of thousands of small-PUT URLs costs one request line and the server's slot rate, not a login per URL.
/// </summary>
internal sealed class SlotFeeder : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(1);

    private readonly Process _process;
    private readonly StringBuilder _errors = new();
    private readonly SemaphoreSlim _turn = new(1, 1);

    private SlotFeeder(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                lock (_errors)
                {
                    _errors.AppendLine(line.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
    }

    /// <summary>Logs the accounts <paramref name="prefix"/>0, 1, ... in to <paramref name="server"/> and returns once all have a session.</summary>
    public static async Task<SlotFeeder> StartAsync(IXmppTestServer server, string prefix, string password, int connections, string service, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(SlixmppClient.Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
            Path.Combine(RepositoryLayout.Root, "tests", "benchmarks", "slot-feeder.py"),
            "--prefix", prefix, "--domain", server.Domain, "--password", password,
            "--port", server.ClientPort.ToString(CultureInfo.InvariantCulture), "--ca-file", server.CaCertificatePath,
            "--service", service, "--connections", connections.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }

        var feeder = new SlotFeeder(Process.Start(start) ?? throw new InvalidOperationException("python3 did not start slot-feeder.py."));
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ReadyTimeout);
            var line = await feeder.ReadLineAsync(timeout.Token);
            if (line != "READY")
            {
                throw feeder.Failed($"slot-feeder.py did not log in to {server.Kind}: {line}");
            }

            return feeder;
        }
        catch
        {
            await feeder.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// <paramref name="count"/> new slots for files of <paramref name="size"/> bytes. Throws with the server's error if
    /// any request was refused (a list with holes would measure refusals), or if a slot names a PUT header the
    /// clients cannot send (curl and wrk-list.lua pass Authorization only).
    /// </summary>
    public async Task<IReadOnlyList<Upload>> RequestAsync(int count, long size, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        await _turn.WaitAsync(cancellationToken);
        try
        {
            await _process.StandardInput.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{count} {size}").AsMemory(), cancellationToken);
            await _process.StandardInput.FlushAsync(cancellationToken);
            var uploads = new List<Upload>(count);
            string? firstError = null;
            while (true)
            {
                var line = await ReadLineAsync(cancellationToken);
                if (line.StartsWith("END ", StringComparison.Ordinal))
                {
                    break;
                }

                var slot = JsonNode.Parse(line) ?? throw Failed($"slot-feeder.py wrote '{line}'");
                if (slot["error"] is { } error)
                {
                    firstError ??= error.ToJsonString();
                    continue;
                }

                if (slot["failure"] is { } failure)
                {
                    throw Failed($"slot-feeder.py failed: {failure}");
                }

                uploads.Add(ToUpload(slot));
            }

            if (firstError is not null || uploads.Count != count)
            {
                throw new InvalidOperationException($"{count - uploads.Count} of {count} slot requests for {size} bytes were refused; the first: {firstError}");
            }

            return uploads;
        }
        finally
        {
            _turn.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                // An empty line ends the feeder cleanly (its sessions log out); a kill if it does not go.
                await _process.StandardInput.WriteLineAsync();
                _process.StandardInput.Close();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        _process.Dispose();
        _turn.Dispose();
    }

    private static Upload ToUpload(JsonNode slot)
    {
        var headers = slot["headers"]?.AsObject() ?? [];
        var unknown = headers.Select(header => header.Key).Where(name => !name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException($"the slot names PUT headers the benchmark clients do not send: {string.Join(", ", unknown)}.");
        }

        var authorization = headers.FirstOrDefault(header => header.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)).Value?.GetValue<string>();
        var put = (string?)slot["put"] ?? throw new InvalidOperationException($"a slot without a PUT URL: {slot.ToJsonString()}");
        return new Upload(new Uri(put), authorization);
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken) =>
        await _process.StandardOutput.ReadLineAsync(cancellationToken) ?? throw Failed("slot-feeder.py ended");

    private InvalidOperationException Failed(string what)
    {
        lock (_errors)
        {
            return new InvalidOperationException($"{what}; its stderr: {_errors}");
        }
    }
}
