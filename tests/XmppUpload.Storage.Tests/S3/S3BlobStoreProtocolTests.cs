using Microsoft.Extensions.Options;
using XmppUpload.Core.Slots;
using XmppUpload.Storage.S3;
using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests.S3;

/// <summary>
/// What s3rver cannot show (it implements neither ListMultipartUploads nor AbortMultipartUpload): the requests the
/// store sends for them, against a scripted S3 endpoint on a real socket.
/// </summary>
public sealed class S3BlobStoreProtocolTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 1, 10, 12, 0, 0, TimeSpan.Zero);

    private readonly LogCapture<S3BlobStore> _log = new();
    private FakeS3Service? _service;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private FakeS3Service Service => _service!;

    public async ValueTask InitializeAsync() => _service = await FakeS3Service.StartAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
    }

    [Fact]
    public async Task RemoveStaged_PagesThroughUploadsAndAbortsOnlyThoseOlderThanTheMaxAge()
    {
        Service.FirstPage.Add(("files/old1", "u1", Now - TimeSpan.FromHours(25)));
        Service.FirstPage.Add(("files/young", "u2", Now - TimeSpan.FromHours(23)));
        Service.SecondPage.Add(("files/old2", "u3", Now - TimeSpan.FromDays(9)));
        Service.SecondPage.Add(("files/gone", "u4", Now - TimeSpan.FromDays(2)));
        Service.GoneUploads.Add("u4");
        using var store = CreateStore();

        var aborted = await store.RemoveStagedAsync(Ct);

        Assert.Equal(2, aborted);
        var requests = Service.Requests.ToArray();
        Assert.Equal(
            [
                "GET /uploads/?max-uploads=1000&prefix=files%2F&uploads=",
                "DELETE /uploads/files/old1?uploadId=u1",
                "GET /uploads/?key-marker=files%2Fyoung&max-uploads=1000&prefix=files%2F&upload-id-marker=u2&uploads=",
                "DELETE /uploads/files/old2?uploadId=u3",
                "DELETE /uploads/files/gone?uploadId=u4",
            ],
            requests.Select(Normalize));
        Assert.Contains(_log.Entries, e => e.EventId.Id == 3051 && e.Message.StartsWith("Aborted 2 multipart uploads in uploads", StringComparison.Ordinal));
        Assert.Contains(_log.Entries, e => e.EventId.Id == 3052 && e.Message.StartsWith("Left 1 multipart uploads in uploads alone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DisposeWithoutCommit_AfterAPartWasSent_AbortsTheUpload()
    {
        using var store = CreateStore();
        var key = SlotIds.New();

        await using (var writer = await store.BeginWriteAsync(key, Ct))
        {
            await writer.WriteAsync(new byte[S3BlobStoreOptions.MinPartSize + 1], Ct);
        }

        Assert.Equal(
            [$"POST /uploads/files/{key}?uploads=", $"PUT /uploads/files/{key}?partNumber=1&uploadId=fake-upload", $"DELETE /uploads/files/{key}?uploadId=fake-upload"],
            Service.Requests.Select(Normalize));
        Assert.Empty(_log.Entries);
    }

    /// <summary>The query parameters in order, so the assertion does not depend on how the SDK orders them.</summary>
    private static string Normalize(string request)
    {
        var question = request.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            return request;
        }

        var parameters = request[(question + 1)..].Split('&').Select(p => p.Contains('=', StringComparison.Ordinal) ? p : p + "=").Order(StringComparer.Ordinal);
        return $"{request[..question]}?{string.Join('&', parameters)}";
    }

    private S3BlobStore CreateStore() =>
        new(
            Options.Create(new S3BlobStoreOptions
            {
                ServiceUrl = Service.ServiceUrl,
                Bucket = "uploads",
                AccessKey = "key",
                SecretKey = "secret",
                KeyPrefix = "files/",
                PartSize = S3BlobStoreOptions.MinPartSize,
            }),
            _log,
            new FakeTimeProvider(Now));
}
