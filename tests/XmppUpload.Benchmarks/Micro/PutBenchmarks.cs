using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Core.Tokens;
using XmppUpload.Http.Upload;
using XmppUpload.Storage;
using XmppUpload.Storage.FileSystem;
using XmppUpload.Testing;

namespace XmppUpload.Benchmarks.Micro;

/// <summary>
/// One whole PUT through the node's handler, without the socket: token check, length and type checks, the upload's
/// begin, lease and commit in an in-memory ledger, and the copy loop into a blob store. With the discarding store
/// what remains is the handler and its copy loop; with the file-system store (the node's default) the writes, the
/// flush and the rename of the staged file are included.
/// </summary>
public class PutBenchmarks
{
    private const string SlotId = "k3v7q2mxz5wa4t6yb2c3d4e5f6";
    private const string FileName = "photo.jpg";

    private readonly MemoryLedger _ledger = new();
    private TemporaryDirectory _directory = null!;
    private PutHandler _handler = null!;
    private byte[] _body = null!;
    private string _token = null!;

    [Params(1024, 1024 * 1024)]
    public int Size { get; set; }

    [Params("discard", "file-system")]
    public string Store { get; set; } = "discard";

    [GlobalSetup]
    public void Setup()
    {
        _directory = TemporaryDirectory.Create("put-bench");
        IBlobStore blobs = Store == "discard"
            ? new DiscardingBlobStore()
            : new FileSystemBlobStore(Options.Create(new StorageOptions { Path = _directory.Path }), NullLogger<FileSystemBlobStore>.Instance);
        var now = DateTimeOffset.UtcNow;
        var key = SigningKey.CreateRandom(now.AddHours(-1));
        var tokens = new SlotTokens(() => [key]);
        _body = RandomNumberGenerator.GetBytes(Size);
        _token = tokens.Issue(SlotId, FileName, Size, "image/jpeg", now.AddHours(1));
        _handler = new PutHandler(
            _ledger,
            blobs,
            tokens,
            new SlotUrls(new Uri("https://upload.example.org/files/")),
            Options.Create(new UploadOptions()),
            TimeProvider.System,
            NullLogger<PutHandler>.Instance);
    }

    [GlobalCleanup]
    public void Cleanup() => _directory.Dispose();

    [Benchmark]
    public async Task<int> Put()
    {
        // The same slot every time, made Pending again, so the token stays valid and the ledger does not grow.
        var now = DateTimeOffset.UtcNow;
        await _ledger.CreateSlotAsync(
            new Slot
            {
                Id = SlotId,
                Owner = "romeo@example.org",
                FileName = FileName,
                Size = Size,
                ContentType = "image/jpeg",
                Purpose = Purpose.Message,
                CreatedAt = now,
                PutDeadline = now.AddHours(1),
            },
            CancellationToken.None);

        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = HttpMethods.Put;
        request.Headers.Authorization = _token;
        request.ContentLength = Size;
        request.ContentType = "image/jpeg";
        request.Body = new MemoryStream(_body, writable: false);
        context.Response.Body = Stream.Null;

        await _handler.HandleAsync(context, new UploadPath(SlotId, FileName));
        return context.Response.StatusCode == StatusCodes.Status201Created
            ? context.Response.StatusCode
            : throw new InvalidOperationException($"The PUT was answered {context.Response.StatusCode}.");
    }
}
