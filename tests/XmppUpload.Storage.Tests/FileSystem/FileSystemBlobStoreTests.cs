using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Storage.FileSystem;

namespace XmppUpload.Storage.Tests.FileSystem;

public sealed class FileSystemBlobStoreTests : IDisposable
{
    private static readonly byte[] TenBytes = "0123456789"u8.ToArray();

    private readonly TempDirectory _directory = new();
    private readonly FileSystemBlobStore _store;

    public FileSystemBlobStoreTests() =>
        _store = new FileSystemBlobStore(Options.Create(new StorageOptions { Path = _directory.Path }), NullLogger<FileSystemBlobStore>.Instance);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task BeginWrite_BeforeCommit_BlobIsInvisible()
    {
        var key = SlotIds.New();
        await using var writer = await _store.BeginWriteAsync(key, Ct);
        await writer.WriteAsync(TenBytes, Ct);

        Assert.False(await _store.ExistsAsync(key, Ct));
        Assert.Null(await _store.OpenReadAsync(key, 0, 0, Ct));
        var staged = Assert.Single(Directory.GetFiles(_store.StagingPath));
        Assert.Matches($"^{key}\\.[0-9a-f]{{16}}\\.part$", Path.GetFileName(staged));
    }

    [Fact]
    public async Task Commit_MakesTheBytesReadableUnderTheKeyAndEmptiesStaging()
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
        Assert.True(File.Exists(Path.Combine(_store.BlobsPath, key[..2], key)));
        Assert.Empty(Directory.GetFiles(_store.StagingPath));
    }

    [Fact]
    public async Task DisposeWithoutCommit_LeavesNoFileAnywhere()
    {
        var key = SlotIds.New();

        await using (var writer = await _store.BeginWriteAsync(key, Ct))
        {
            await writer.WriteAsync(TenBytes, Ct);
        }

        Assert.False(await _store.ExistsAsync(key, Ct));
        Assert.Empty(Directory.GetFiles(_directory.Path, "*", SearchOption.AllDirectories));
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
        Assert.Single(Directory.GetFiles(_store.BlobsPath, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task TwoWritersForOneKey_StageApartAndTheLastCommitWins()
    {
        var key = SlotIds.New();
        await using var first = await _store.BeginWriteAsync(key, Ct);
        await using var second = await _store.BeginWriteAsync(key, Ct);
        await first.WriteAsync("first"u8.ToArray(), Ct);
        await second.WriteAsync("second"u8.ToArray(), Ct);
        Assert.Equal(2, Directory.GetFiles(_store.StagingPath).Length);

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
        var content = new byte[300_000];
        new Random(363).NextBytes(content);
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

    [Fact]
    public async Task OpenRead_AbsentBlob_ReturnsNull()
    {
        Assert.Null(await _store.OpenReadAsync(SlotIds.New(), 0, 0, Ct));
    }

    [Fact]
    public async Task Delete_ExistingBlob_RemovesIt()
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, TenBytes);

        await _store.DeleteAsync(key, Ct);

        Assert.False(await _store.ExistsAsync(key, Ct));
        Assert.Null(await _store.OpenReadAsync(key, 0, 0, Ct));
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
    public async Task RemoveStaged_LeftoversOfACrash_AreRemovedAndCounted()
    {
        var committed = SlotIds.New();
        await WriteBlobAsync(committed, TenBytes);
        Directory.CreateDirectory(Path.Combine(_store.StagingPath, "stray"));
        await File.WriteAllBytesAsync(Path.Combine(_store.StagingPath, $"{SlotIds.New()}.0123456789abcdef.part"), TenBytes, Ct);
        await File.WriteAllBytesAsync(Path.Combine(_store.StagingPath, "unexpected.tmp"), TenBytes, Ct);
        await File.WriteAllBytesAsync(Path.Combine(_store.StagingPath, "stray", "nested.part"), TenBytes, Ct);

        var removed = await _store.RemoveStagedAsync(Ct);

        Assert.Equal(3, removed);
        Assert.Empty(Directory.GetFileSystemEntries(_store.StagingPath));
        Assert.Equal(TenBytes, await ReadAsync(committed, 0, 10));
    }

    [Fact]
    public async Task RemoveStaged_NoStagingDirectoryYet_ReturnsZero()
    {
        Assert.Equal(0, await _store.RemoveStagedAsync(Ct));
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
        new string('a', FileSystemBlobStore.MaxKeyLength + 1),
    };

    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public async Task InvalidKey_IsRefusedByEveryOperation(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.BeginWriteAsync(key, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.OpenReadAsync(key, 0, 0, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.ExistsAsync(key, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.DeleteAsync(key, Ct));
        Assert.False(Directory.Exists(_store.StagingPath));
    }

    [Fact]
    public async Task NullKey_IsRefused()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => _store.BeginWriteAsync(null!, Ct));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(FileSystemBlobStore.MaxKeyLength)]
    public async Task ValidKey_OfAnyAllowedLength_RoundTrips(int length)
    {
        var key = string.Concat(Enumerable.Range(0, length).Select(i => "a0z9"[i % 4]));

        await WriteBlobAsync(key, TenBytes);

        Assert.Equal(TenBytes, await ReadAsync(key, 0, 10));
    }

    [Fact]
    public async Task List_YieldsEveryCommittedBlobWithItsLastWriteTime()
    {
        var keys = new[] { SlotIds.New(), SlotIds.New(), "a", "ab" };
        foreach (var key in keys)
        {
            await WriteBlobAsync(key, TenBytes);
        }

        var past = new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(_store.BlobPath(keys[0]), past);

        var listed = await ListAsync();

        Assert.Equal(keys.Order(), listed.Select(b => b.Key).Order());
        Assert.Equal(new DateTimeOffset(past), listed.Single(b => b.Key == keys[0]).LastModified);
        Assert.All(listed, b => Assert.Equal(File.GetLastWriteTimeUtc(_store.BlobPath(b.Key)), b.LastModified.UtcDateTime));
    }

    [Fact]
    public async Task List_SkipsStagedWritesDeletedBlobsAndFilesThatAreNotBlobs()
    {
        var kept = SlotIds.New();
        var deleted = SlotIds.New();
        await WriteBlobAsync(kept, TenBytes);
        await WriteBlobAsync(deleted, TenBytes);
        await _store.DeleteAsync(deleted, Ct);
        await using var staged = await _store.BeginWriteAsync(SlotIds.New(), Ct);
        await staged.WriteAsync(TenBytes, Ct);

        // What an operator or another program might leave there: none of it is reachable by a key.
        var fanOut = Path.Combine(_store.BlobsPath, kept[..2]);
        await File.WriteAllTextAsync(Path.Combine(fanOut, "README.txt"), "not a blob", Ct);
        await File.WriteAllTextAsync(Path.Combine(fanOut, "zz" + kept[2..]), "under the wrong fan-out directory", Ct);
        Directory.CreateDirectory(Path.Combine(fanOut, "nested"));
        await File.WriteAllTextAsync(Path.Combine(_store.BlobsPath, "toplevel"), "outside any fan-out directory", Ct);

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

    private async Task<List<BlobListing>> ListAsync()
    {
        var listed = new List<BlobListing>();
        await foreach (var blob in _store.ListAsync(Ct))
        {
            listed.Add(blob);
        }

        return listed;
    }

    private async Task WriteBlobAsync(string key, byte[] content)
    {
        await using IBlobWriter writer = await _store.BeginWriteAsync(key, Ct);
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
