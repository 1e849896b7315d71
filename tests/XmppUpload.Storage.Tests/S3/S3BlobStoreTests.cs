using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Storage.S3;

namespace XmppUpload.Storage.Tests.S3;

/// <summary>The behaviours of the file-system blob store's tests, against a real s3rver.</summary>
public sealed class S3BlobStoreTests : IClassFixture<S3rverFixture>, IDisposable
{
    private const int PartSize = S3BlobStoreOptions.MinPartSize;

    private static readonly byte[] TenBytes = "0123456789"u8.ToArray();

    private readonly S3rverFixture _s3rver;
    private readonly string _prefix = $"test-{RandomNumberGenerator.GetHexString(12, lowercase: true)}/";
    private readonly LogCapture<S3BlobStore> _log = new();
    private readonly S3BlobStore _store;

    public S3BlobStoreTests(S3rverFixture s3rver)
    {
        _s3rver = s3rver;
        _store = CreateStore();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task BeginWrite_BeforeCommit_BlobIsInvisible()
    {
        var key = SlotIds.New();
        await using var writer = await _store.BeginWriteAsync(key, Ct);
        await writer.WriteAsync(TenBytes, Ct);

        Assert.False(await _store.ExistsAsync(key, Ct));
        Assert.Null(await _store.OpenReadAsync(key, 0, 0, Ct));
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task Commit_MakesTheBytesReadableUnderTheKey()
    {
        var key = SlotIds.New();

        await using (var writer = await _store.BeginWriteAsync(key, Ct))
        {
            await writer.WriteAsync(TenBytes.AsMemory(0, 4), Ct);
            await writer.WriteAsync(TenBytes.AsMemory(4), Ct);
            Assert.Equal(10, writer.BytesWritten);
            await writer.CommitAsync(Ct);
        }

        Assert.True(await _store.ExistsAsync(key, Ct));
        Assert.Equal(TenBytes, await ReadAsync(key, 0, 10));
        Assert.Equal(TenBytes, await GetObjectDirectlyAsync(_prefix + key));
    }

    [Fact]
    public async Task Commit_EmptyBlob_IsStoredAndReadable()
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, []);

        Assert.True(await _store.ExistsAsync(key, Ct));
        Assert.Empty(await ReadAsync(key, 0, 0));
    }

    [Fact]
    public async Task DisposeWithoutCommit_SmallBlob_LeavesNothingListedAndNoUploadPending()
    {
        var key = SlotIds.New();

        await using (var writer = await _store.BeginWriteAsync(key, Ct))
        {
            await writer.WriteAsync(TenBytes, Ct);
        }

        Assert.False(await _store.ExistsAsync(key, Ct));
        Assert.Empty(await ListAsync());
        Assert.DoesNotContain(_prefix + key, _s3rver.Server.PendingMultipartUploads());
    }

    [Fact]
    public async Task DisposeWithoutCommit_AfterPartsWereSent_LeavesNothingVisibleAndTriesToAbort()
    {
        var key = SlotIds.New();

        await using (var writer = await _store.BeginWriteAsync(key, Ct))
        {
            await writer.WriteAsync(RandomBytes(PartSize + 1), Ct);
            Assert.NotNull(((S3BlobWriter)writer).UploadId);
            Assert.Contains(_prefix + key, _s3rver.Server.PendingMultipartUploads());
        }

        Assert.False(await _store.ExistsAsync(key, Ct));
        Assert.Empty(await ListAsync());
        // s3rver 3.7.1 answers AbortMultipartUpload with 405: the writer reports it and leaves the clean-up to
        // RemoveStaged or a lifecycle rule. (S3BlobStoreProtocolTests shows the abort itself.)
        var entry = Assert.Single(_log.Entries, e => e.EventId.Id == 3050);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, Assert.IsType<AmazonS3Exception>(entry.Exception).StatusCode);
    }

    [Fact]
    public async Task DisposeWithoutCommit_KeepsTheEarlierBlob()
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, TenBytes);

        await using (var writer = await _store.BeginWriteAsync(key, Ct))
        {
            await writer.WriteAsync("abandoned"u8.ToArray(), Ct);
        }

        Assert.Equal(TenBytes, await ReadAsync(key, 0, 10));
    }

    [Fact]
    public async Task Commit_ExistingKey_ReplacesTheBlob()
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, TenBytes);

        await WriteBlobAsync(key, "new"u8.ToArray());

        Assert.Equal("new"u8.ToArray(), await ReadAsync(key, 0, 3));
        Assert.Equal([key], (await ListAsync()).Select(b => b.Key));
    }

    [Fact]
    public async Task Commit_ExistingKey_ByMultipartUpload_ReplacesTheBlobOnlyAtCommit()
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, TenBytes);
        var content = RandomBytes(PartSize + 10);

        await using (var writer = await _store.BeginWriteAsync(key, Ct))
        {
            await writer.WriteAsync(content, Ct);
            Assert.Equal(TenBytes, await ReadAsync(key, 0, 10));
            await writer.CommitAsync(Ct);
        }

        Assert.Equal(content, await ReadAsync(key, 0, content.Length));
    }

    [Fact]
    public async Task TwoWritersForOneKey_StageApartAndTheLastCommitWins()
    {
        var key = SlotIds.New();
        await using var first = await _store.BeginWriteAsync(key, Ct);
        await using var second = await _store.BeginWriteAsync(key, Ct);
        await first.WriteAsync("first"u8.ToArray(), Ct);
        await second.WriteAsync("second"u8.ToArray(), Ct);

        await first.CommitAsync(Ct);
        await second.CommitAsync(Ct);

        Assert.Equal("second"u8.ToArray(), await ReadAsync(key, 0, 6));
    }

    [Fact]
    public async Task Writer_AfterCommit_RefusesMoreBytesAndASecondCommit()
    {
        await using var writer = await _store.BeginWriteAsync(SlotIds.New(), Ct);
        await writer.WriteAsync(TenBytes, Ct);
        await writer.CommitAsync(Ct);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.WriteAsync(TenBytes, Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CommitAsync(Ct));
    }

    [Fact]
    public async Task Write_CancelledToken_Throws()
    {
        await using var writer = await _store.BeginWriteAsync(SlotIds.New(), Ct);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await writer.WriteAsync(TenBytes, cancelled.Token));
    }

    [Fact]
    public async Task Write_TwentyMebibytes_GoesInSeveralPartsInvisibleUntilCommit()
    {
        var key = SlotIds.New();
        var content = RandomBytes(20 * 1024 * 1024);

        await using (var writer = await _store.BeginWriteAsync(key, Ct))
        {
            // In request-sized pieces, as the upload endpoint writes.
            for (var offset = 0; offset < content.Length; offset += 81_920)
            {
                await writer.WriteAsync(content.AsMemory(offset, Math.Min(81_920, content.Length - offset)), Ct);
            }

            Assert.NotNull(((S3BlobWriter)writer).UploadId);
            Assert.Equal([_prefix + key], _s3rver.Server.PendingMultipartUploads().Where(k => k.StartsWith(_prefix, StringComparison.Ordinal)));
            Assert.False(await _store.ExistsAsync(key, Ct));

            await writer.CommitAsync(Ct);
            Assert.Equal(content.Length, writer.BytesWritten);
        }

        Assert.DoesNotContain(_prefix + key, _s3rver.Server.PendingMultipartUploads());
        Assert.Equal(content, await ReadAsync(key, 0, content.Length));
        // Across the boundaries of the 5 MiB parts, and the short last part.
        foreach (var (offset, length) in new[] { (PartSize - 1, 2), (2 * PartSize - 3, 7), (4 * PartSize - 1, 1), (content.Length - 1, 1) })
        {
            Assert.Equal(content.AsSpan(offset, length).ToArray(), await ReadAsync(key, offset, length));
        }
    }

    [Fact]
    public async Task Write_ExactlyOnePart_IsOnePutObjectWithoutAMultipartUpload()
    {
        var key = SlotIds.New();
        var content = RandomBytes(PartSize);

        await using (var writer = await _store.BeginWriteAsync(key, Ct))
        {
            await writer.WriteAsync(content, Ct);
            await writer.CommitAsync(Ct);
            Assert.Null(((S3BlobWriter)writer).UploadId);
        }

        Assert.Equal(content, await ReadAsync(key, 0, content.Length));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(0, 0)]
    [InlineData(10, 0)]
    [InlineData(0, 1)]
    [InlineData(9, 1)]
    [InlineData(3, 4)]
    [InlineData(1, 9)]
    public async Task OpenRead_Range_ReturnsExactlyThoseBytes(long offset, long length)
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, TenBytes);

        var bytes = await ReadAsync(key, offset, length);

        Assert.Equal(TenBytes.AsSpan((int)offset, (int)length).ToArray(), bytes);
    }

    [Fact]
    public async Task OpenRead_LargeRange_StreamsThroughSmallBuffers()
    {
        var key = SlotIds.New();
        var content = RandomBytes(300_000);
        await WriteBlobAsync(key, content);

        await using var stream = await _store.OpenReadAsync(key, 12_345, 200_000, Ct);
        using var copy = new MemoryStream();
        await stream!.CopyToAsync(copy, bufferSize: 4096, Ct);

        Assert.Equal(content.AsSpan(12_345, 200_000).ToArray(), copy.ToArray());
    }

    [Fact]
    public async Task OpenRead_SynchronousReads_StopAtTheEndOfTheRange()
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, TenBytes);

        await using var stream = await _store.OpenReadAsync(key, 2, 3, Ct);
        var buffer = new byte[8];

        Assert.Equal('2', stream!.ReadByte());
        Assert.Equal(2, stream.Read(buffer, 0, buffer.Length));
        Assert.Equal("34"u8.ToArray(), buffer[..2]);
        Assert.Equal(0, stream.Read(buffer, 0, buffer.Length));
        Assert.Equal(-1, stream.ReadByte());
        Assert.False(stream.CanSeek);
        Assert.False(stream.CanWrite);
    }

    [Theory]
    [InlineData(11, 0)]
    [InlineData(10, 1)]
    [InlineData(5, 6)]
    [InlineData(0, 11)]
    [InlineData(1, long.MaxValue)]
    public async Task OpenRead_RangeOutsideTheBlob_Throws(long offset, long length)
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, TenBytes);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.OpenReadAsync(key, offset, length, Ct));
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, -1)]
    public async Task OpenRead_NegativeOffsetOrLength_Throws(long offset, long length)
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, TenBytes);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.OpenReadAsync(key, offset, length, Ct));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public async Task OpenRead_AbsentBlob_ReturnsNull(long length)
    {
        Assert.Null(await _store.OpenReadAsync(SlotIds.New(), 0, length, Ct));
    }

    [Fact]
    public async Task Delete_ExistingBlob_RemovesIt()
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, TenBytes);

        await _store.DeleteAsync(key, Ct);

        Assert.False(await _store.ExistsAsync(key, Ct));
        Assert.Null(await _store.OpenReadAsync(key, 0, 0, Ct));
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task Delete_MissingBlob_IsFine()
    {
        var key = SlotIds.New();
        await _store.DeleteAsync(key, Ct);

        await WriteBlobAsync(key, TenBytes);
        await _store.DeleteAsync(key, Ct);
        await _store.DeleteAsync(key, Ct);

        Assert.False(await _store.ExistsAsync(key, Ct));
    }

    [Fact]
    public async Task RemoveStaged_ServiceWithoutListMultipartUploads_ReturnsZeroAndWarns()
    {
        // s3rver 3.7.1 answers ListMultipartUploads with 501 NotImplemented; the node must still start.
        Assert.Equal(0, await _store.RemoveStagedAsync(Ct));

        var entry = Assert.Single(_log.Entries, e => e.EventId.Id == 3053);
        Assert.Contains("NotImplemented", entry.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> InvalidKeys => new()
    {
        string.Empty,
        "../../etc/passwd",
        "..",
        "abc/def",
        "abc\\def",
        "abc.def",
        "ABCDEF",
        "abc def",
        "abc\0def",
        "caf\u00e9",
        "\uff41bc",
        new string('a', S3BlobStore.MaxKeyLength + 1),
    };

    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public async Task InvalidKey_IsRefusedByEveryOperation(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.BeginWriteAsync(key, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.OpenReadAsync(key, 0, 0, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.ExistsAsync(key, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.DeleteAsync(key, Ct));
    }

    [Fact]
    public async Task NullKey_IsRefused()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => _store.BeginWriteAsync(null!, Ct));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(S3BlobStore.MaxKeyLength)]
    public async Task ValidKey_OfAnyAllowedLength_RoundTrips(int length)
    {
        var key = string.Concat(Enumerable.Range(0, length).Select(i => "a0z9"[i % 4]));

        await WriteBlobAsync(key, TenBytes);

        Assert.Equal(TenBytes, await ReadAsync(key, 0, 10));
    }

    [Fact]
    public async Task List_YieldsEveryCommittedBlobWithItsLastModified()
    {
        var keys = new[] { SlotIds.New(), SlotIds.New(), "a", "ab" };
        foreach (var key in keys)
        {
            await WriteBlobAsync(key, TenBytes);
        }

        var listed = await ListAsync();

        Assert.Equal(keys.Order(), listed.Select(b => b.Key).Order());
        foreach (var blob in listed)
        {
            var metadata = await _store.Client.GetObjectMetadataAsync(_s3rver.Server.Bucket, _prefix + blob.Key, Ct);
            Assert.Equal(metadata.LastModified!.Value.ToUniversalTime(), blob.LastModified.UtcDateTime);
            Assert.Equal(TimeSpan.Zero, blob.LastModified.Offset);
        }
    }

    [Fact]
    public async Task List_ManyPages_YieldsEachBlobOnce()
    {
        using var store = CreateStore(pageSize: 2);
        var keys = Enumerable.Range(0, 5).Select(_ => SlotIds.New()).ToArray();
        foreach (var key in keys)
        {
            await WriteBlobAsync(store, key, TenBytes);
        }

        var listed = await ListAsync(store);

        Assert.Equal(keys.Order(), listed.Select(b => b.Key).Order());
    }

    [Fact]
    public async Task List_SkipsStagedWritesDeletedBlobsAndObjectsThatAreNotBlobs()
    {
        var kept = SlotIds.New();
        var deleted = SlotIds.New();
        await WriteBlobAsync(kept, TenBytes);
        await WriteBlobAsync(deleted, TenBytes);
        await _store.DeleteAsync(deleted, Ct);
        await using var staged = await _store.BeginWriteAsync(SlotIds.New(), Ct);
        await staged.WriteAsync(RandomBytes(PartSize + 1), Ct);

        // What an operator or another program might put in the bucket: none of it is reachable by a key.
        await PutObjectDirectlyAsync(_prefix + "README.txt");
        await PutObjectDirectlyAsync(_prefix + "nested/" + SlotIds.New());
        await PutObjectDirectlyAsync(_prefix.TrimEnd('/') + SlotIds.New());

        var listed = await ListAsync();

        Assert.Equal([kept], listed.Select(b => b.Key));
    }

    [Fact]
    public async Task List_EmptyStore_YieldsNothing()
    {
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task List_CancelledToken_Throws()
    {
        await WriteBlobAsync(SlotIds.New(), TenBytes);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in _store.ListAsync(cancelled.Token))
            {
            }
        });
    }

    [Fact]
    public async Task Store_WithoutKeyPrefix_KeepsBlobsAtTheTopOfTheBucket()
    {
        using var store = CreateStore(prefix: string.Empty);
        var key = SlotIds.New();

        await WriteBlobAsync(store, key, TenBytes);

        Assert.Equal(TenBytes, await GetObjectDirectlyAsync(key));
        Assert.Contains(key, (await ListAsync(store)).Select(b => b.Key));
        await store.DeleteAsync(key, Ct);
    }

    private S3BlobStore CreateStore(string? prefix = null, int pageSize = 1000) =>
        new(
            Options.Create(new S3BlobStoreOptions
            {
                ServiceUrl = _s3rver.Server.ServiceUrl,
                Bucket = _s3rver.Server.Bucket,
                AccessKey = XmppUpload.Testing.S3rverServer.AccessKey,
                SecretKey = XmppUpload.Testing.S3rverServer.SecretKey,
                KeyPrefix = prefix ?? _prefix,
                PartSize = PartSize,
            }),
            _log)
        {
            ListPageSize = pageSize,
        };

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(count).NextBytes(bytes);
        return bytes;
    }

    private async Task PutObjectDirectlyAsync(string objectKey) =>
        await _store.Client.PutObjectAsync(
            new PutObjectRequest { BucketName = _s3rver.Server.Bucket, Key = objectKey, ContentBody = "not a blob", UseChunkEncoding = false },
            Ct);

    private async Task<byte[]> GetObjectDirectlyAsync(string objectKey)
    {
        using var response = await _store.Client.GetObjectAsync(_s3rver.Server.Bucket, objectKey, Ct);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }

    private Task<List<BlobListing>> ListAsync() => ListAsync(_store);

    private static async Task<List<BlobListing>> ListAsync(IBlobStore store)
    {
        var listed = new List<BlobListing>();
        await foreach (var blob in store.ListAsync(Ct))
        {
            listed.Add(blob);
        }

        return listed;
    }

    private Task WriteBlobAsync(string key, byte[] content) => WriteBlobAsync(_store, key, content);

    private static async Task WriteBlobAsync(IBlobStore store, string key, byte[] content)
    {
        await using IBlobWriter writer = await store.BeginWriteAsync(key, Ct);
        await writer.WriteAsync(content, Ct);
        await writer.CommitAsync(Ct);
    }

    private async Task<byte[]> ReadAsync(string key, long offset, long length)
    {
        await using var stream = await _store.OpenReadAsync(key, offset, length, Ct);
        Assert.NotNull(stream);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }
}
