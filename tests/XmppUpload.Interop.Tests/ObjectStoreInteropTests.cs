using System.Globalization;
using XmppUpload.Testing;

namespace XmppUpload.Interop.Tests;

/// <summary>The node on cluster storage (PostgreSQL, an object store) instead of its embedded defaults, used by a real client through a real Prosody.</summary>
public sealed class ObjectStoreInteropTests
{
    private static readonly Dictionary<string, string> Users = new() { ["alice"] = "alice-password" };

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = 180_000)]
    public async Task S3_UploadThroughTheNode_IsStoredInTheBucketAndServedBack()
    {
        await using var s3 = await S3rverServer.StartAsync(cancellationToken: Cancellation);
        await using var prosody = await ProsodyServer.StartAsync(new ProsodyOptions { Users = Users }, Cancellation);
        await using var node = await NodeProcess.StartAsync(
            new Dictionary<string, string>
            {
                ["Xmpp:Server"] = $"127.0.0.1:{prosody.ComponentPort.ToString(CultureInfo.InvariantCulture)}",
                ["Xmpp:Domain"] = prosody.ComponentDomain,
                ["Xmpp:Secret"] = prosody.ComponentSecret,
                ["BlobStore:Provider"] = "S3",
                ["BlobStore:S3:ServiceUrl"] = s3.ServiceUrl,
                ["BlobStore:S3:Bucket"] = s3.Bucket,
                ["BlobStore:S3:AccessKey"] = S3rverServer.AccessKey,
                ["BlobStore:S3:SecretKey"] = S3rverServer.SecretKey,
            },
            cancellationToken: Cancellation);
        using var files = TemporaryDirectory.Create("interop-s3");
        var path = files.Combine("clip.bin");
        var content = new byte[3 * 1024 * 1024 + 17];
        Random.Shared.NextBytes(content);
        await File.WriteAllBytesAsync(path, content, Cancellation);

        var upload = await new SlixmppClient(prosody, "alice", Users["alice"]) { CaFile = prosody.CaCertificatePath }.UploadAsync(
            new SlixmppUpload { FilePath = path, Name = "Clip – ß.bin" }, cancellationToken: Cancellation);

        Assert.True(upload.ExitCode == 0, $"{upload}\n{node.Process.Output}");
        Assert.True(upload.Json.GetProperty("bytes_equal").GetBoolean(), upload.ToString());
        // The bytes live in the bucket, not under the node's data directory.
        Assert.False(Directory.Exists(Path.Combine(node.DataDirectory, "blobs")) && Directory.EnumerateFiles(Path.Combine(node.DataDirectory, "blobs"), "*", SearchOption.AllDirectories).Any());
        Assert.Contains(Directory.EnumerateFiles(s3.DataDirectory, "*", SearchOption.AllDirectories), file => new FileInfo(file).Length == content.Length);
    }

    [Fact(Timeout = 60_000)]
    public async Task UnknownBlobStore_StopsTheNodeWithOneLineNamingTheKey()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => NodeProcess.StartAsync(
            new Dictionary<string, string> { ["Xmpp:Secret"] = "x", ["BlobStore:Provider"] = "Floppy" },
            TimeSpan.FromSeconds(60),
            waitForComponent: false,
            cancellationToken: Cancellation));

        Assert.Contains("BlobStore:Provider 'Floppy' is not a blob store", failure.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 180_000)]
    public async Task PostgresLedgerAndS3_SlotsAndUploadsWork_AndTheLedgerHoldsThem()
    {
        await using var postgres = await PostgresServer.StartAsync(Cancellation);
        var database = await postgres.CreateDatabaseAsync(Cancellation);
        await using var s3 = await S3rverServer.StartAsync(cancellationToken: Cancellation);
        await using var prosody = await ProsodyServer.StartAsync(new ProsodyOptions { Users = Users }, Cancellation);
        await using var node = await NodeProcess.StartAsync(
            new Dictionary<string, string>
            {
                ["Xmpp:Server"] = $"127.0.0.1:{prosody.ComponentPort.ToString(CultureInfo.InvariantCulture)}",
                ["Xmpp:Domain"] = prosody.ComponentDomain,
                ["Xmpp:Secret"] = prosody.ComponentSecret,
                ["Ledger:Provider"] = "Postgres",
                ["ConnectionStrings:Ledger"] = postgres.ConnectionString(database),
                ["BlobStore:Provider"] = "S3",
                ["BlobStore:S3:ServiceUrl"] = s3.ServiceUrl,
                ["BlobStore:S3:Bucket"] = s3.Bucket,
                ["BlobStore:S3:AccessKey"] = S3rverServer.AccessKey,
                ["BlobStore:S3:SecretKey"] = S3rverServer.SecretKey,
            },
            cancellationToken: Cancellation);
        using var files = TemporaryDirectory.Create("interop-postgres");
        var path = files.Combine("note.txt");
        await File.WriteAllTextAsync(path, "kept in PostgreSQL and S3", Cancellation);

        var upload = await new SlixmppClient(prosody, "alice", Users["alice"]) { CaFile = prosody.CaCertificatePath }.UploadAsync(
            new SlixmppUpload { FilePath = path, ContentType = "text/plain" }, cancellationToken: Cancellation);

        Assert.True(upload.ExitCode == 0, $"{upload}\n{node.Process.Output}");
        Assert.True(upload.Json.GetProperty("bytes_equal").GetBoolean(), upload.ToString());
        await using var connection = new Npgsql.NpgsqlConnection(postgres.ConnectionString(database));
        await connection.OpenAsync(Cancellation);
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM slots WHERE owner = 'alice@localhost' AND state = 'stored'", connection);
        Assert.Equal(1L, await command.ExecuteScalarAsync(Cancellation));
    }

    [Fact(Timeout = 180_000)]
    public async Task AzureBlob_UploadThroughTheNode_IsServedBackFromAzurite()
    {
        await using var azurite = await AzuriteServer.StartAsync(Cancellation);
        await using var prosody = await ProsodyServer.StartAsync(new ProsodyOptions { Users = Users }, Cancellation);
        await using var node = await NodeProcess.StartAsync(
            new Dictionary<string, string>
            {
                ["Xmpp:Server"] = $"127.0.0.1:{prosody.ComponentPort.ToString(CultureInfo.InvariantCulture)}",
                ["Xmpp:Domain"] = prosody.ComponentDomain,
                ["Xmpp:Secret"] = prosody.ComponentSecret,
                ["BlobStore:Provider"] = "AzureBlob",
                ["ConnectionStrings:BlobStore"] = azurite.ConnectionString,
                ["BlobStore:Container"] = "interop",
            },
            cancellationToken: Cancellation);
        using var files = TemporaryDirectory.Create("interop-azure");
        var path = files.Combine("photo.jpg");
        var content = new byte[5 * 1024 * 1024 + 3];
        Random.Shared.NextBytes(content);
        await File.WriteAllBytesAsync(path, content, Cancellation);

        var upload = await new SlixmppClient(prosody, "alice", Users["alice"]) { CaFile = prosody.CaCertificatePath }.UploadAsync(
            new SlixmppUpload { FilePath = path, ContentType = "image/jpeg" }, cancellationToken: Cancellation);

        Assert.True(upload.ExitCode == 0, $"{upload}\n{node.Process.Output}");
        Assert.True(upload.Json.GetProperty("bytes_equal").GetBoolean(), upload.ToString());
        Assert.False(Directory.Exists(Path.Combine(node.DataDirectory, "blobs")) && Directory.EnumerateFiles(Path.Combine(node.DataDirectory, "blobs"), "*", SearchOption.AllDirectories).Any());
    }
}
