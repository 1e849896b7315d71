namespace XmppUpload.Testing;

/// <summary>
/// clients/fake_component.py: a stand-in XEP-0114 component that answers disco and slot requests like a minimal
/// upload service. Only for checking server configs and client helpers without the real service.
/// </summary>
public static class FakeUploadComponent
{
    /// <summary>
    /// Connects the fake component to <paramref name="server"/>'s component port and returns once the handshake
    /// succeeded (the script prints READY). Dispose the result to disconnect it.
    /// </summary>
    /// <param name="baseUrl">Slots point at {baseUrl}/{random}/{filename} for both PUT and GET.</param>
    public static async Task<ExternalProcess> StartAsync(
        IXmppTestServer server,
        long maxFileSize = 1024 * 1024,
        string baseUrl = "http://127.0.0.1:9/upload",
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        var process = ExternalProcess.Start(
            SlixmppClient.Python,
            [
                Path.Combine(RepositoryLayout.Clients, SlixmppClient.FakeComponentScript),
                "--jid", server.ComponentDomain,
                "--secret", server.ComponentSecret,
                "--host", "127.0.0.1",
                "--port", server.ComponentPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--max-file-size", maxFileSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--base-url", baseUrl,
            ],
            new ExternalProcessOptions
            {
                Name = "fake_component.py",
                WorkingDirectory = RepositoryLayout.Clients,
                Environment = new Dictionary<string, string?> { ["PYTHONDONTWRITEBYTECODE"] = "1" },
            });
        try
        {
            await process.WaitForOutputAsync(line => line == "READY", timeout ?? TimeSpan.FromSeconds(30), cancellationToken);
            return process;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }
}
