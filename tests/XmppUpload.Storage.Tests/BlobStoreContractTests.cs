using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;

namespace XmppUpload.Storage.Tests;

/// <summary>
/// What every <see cref="IBlobStore"/> and <see cref="IBlobWriter"/> promise, whatever holds the bytes: run against the
/// file system (<c>FileSystemBlobStoreTests</c>), a real s3rver (<c>S3BlobStoreTests</c>) and a real Azurite
/// (<c>AzureBlobStoreTests</c>). Writes are staged and appear whole at the commit or never; reads give exactly the bytes
/// asked for; listing shows committed blobs only. What only one store does stays in its own class.
/// </summary>
/// <typeparam name="TStore">The store under test, so that its class can look behind the contract.</typeparam>
public abstract class BlobStoreContractTests<TStore> : IAsyncLifetime
    where TStore : class, IBlobStore
{
    /// <summary>The size of a write piece that the upload endpoint hands the store when a request body arrives quickly.</summary>
    protected const int RequestPieceSize = 81_920;

    private readonly List<IBlobStore> _otherNodes = [];
    private TStore? _store;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected static ReadOnlyMemory<byte> TenBytes => "0123456789"u8.ToArray();

    /// <summary>An empty store of the test's own (a directory, a key prefix or a container nobody else uses).</summary>
    protected TStore Store => _store ?? throw new InvalidOperationException("InitializeAsync has not run.");

    /// <summary>
    /// How many bytes a writer gathers before they reach the service (an S3 part, an Azure block; the file system writes
    /// through at once, so there it is only the size of the pieces the large-blob tests cross). A write of one unit and
    /// some bytes more has staged bytes on the service, not only in the writer's buffer.
    /// </summary>
    protected abstract int StagingUnitSize { get; }

    /// <summary>
    /// Whether <see cref="IBlobStore.RemoveStagedAsync"/> takes a write abandoned a moment ago for a leftover of a crash.
    /// The file system does (it runs before uploads are accepted); S3 waits until an upload is older than any upload can
    /// last, because other nodes share the bucket; Azure has nothing to remove (the service discards uncommitted blocks).
    /// </summary>
    protected abstract bool RemoveStagedTakesAFreshlyAbandonedWrite { get; }

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync();

    public virtual ValueTask DisposeAsync()
    {
        (_store as IDisposable)?.Dispose();
        foreach (var store in _otherNodes)
        {
            (store as IDisposable)?.Dispose();
        }

        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Write_BeforeCommit_IsInvisible(int fullUnits)
    {
        var key = SlotIds.New();
        var content = StagedContent(fullUnits);
        await using var writer = await Store.BeginWriteAsync(key, Ct);
        await writer.WriteAsync(content, Ct);

        Assert.Equal(content.Length, writer.BytesWritten);
        Assert.False(await Store.ExistsAsync(key, Ct));
        Assert.Null(await Store.OpenReadAsync(key, 0, 0, Ct));
        Assert.Null(await Store.OpenReadAsync(key, 0, 4, Ct));
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task Commit_MakesTheBytesReadableUnderTheKey() => await CommitTenBytesInTwoPiecesAndReadThemAsync(Store);

    [Fact]
    public async Task Commit_NoBytes_MakesAnEmptyBlob()
    {
        var key = SlotIds.New();

        await WriteBlobAsync(key, ReadOnlyMemory<byte>.Empty);

        Assert.True(await Store.ExistsAsync(key, Ct));
        Assert.Empty(await ReadAsync(key, 0, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.OpenReadAsync(key, 0, 1, Ct));
        Assert.Equal([key], (await ListAsync()).Select(b => b.Key));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Commit_CancelledToken_ThrowsAndPublishesNothing(int fullUnits)
    {
        var key = SlotIds.New();
        await using var writer = await Store.BeginWriteAsync(key, Ct);
        await writer.WriteAsync(StagedContent(fullUnits), Ct);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writer.CommitAsync(cancelled.Token));

        Assert.False(await Store.ExistsAsync(key, Ct));
        Assert.Empty(await ListAsync());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task DisposeWithoutCommit_LeavesNothingVisible(int fullUnits)
    {
        var key = SlotIds.New();

        await AbandonWriteAsync(key, StagedContent(fullUnits));

        Assert.False(await Store.ExistsAsync(key, Ct));
        Assert.Null(await Store.OpenReadAsync(key, 0, 0, Ct));
        Assert.Empty(await ListAsync());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task DisposeWithoutCommit_KeepsTheEarlierBlob(int fullUnits)
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, TenBytes);

        await AbandonWriteAsync(key, StagedContent(fullUnits));

        Assert.Equal(TenBytes.ToArray(), await ReadAsync(key, 0, 10));
        Assert.Equal([key], (await ListAsync()).Select(b => b.Key));
    }

    [Fact]
    public async Task Commit_ExistingKey_ReplacesTheBlob()
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, TenBytes);

        await WriteBlobAsync(key, "new"u8.ToArray());

        Assert.Equal("new"u8.ToArray(), await ReadAsync(key, 0, 3));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.OpenReadAsync(key, 0, 10, Ct));
        Assert.Equal([key], (await ListAsync()).Select(b => b.Key));
    }

    [Fact]
    public async Task Commit_ExistingKey_AfterUnitsWereStaged_ReplacesTheBlobOnlyAtCommit()
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, TenBytes);
        var content = StagedContent(fullUnits: 1);

        await using (var writer = await Store.BeginWriteAsync(key, Ct))
        {
            await writer.WriteAsync(content, Ct);
            Assert.Equal(TenBytes.ToArray(), await ReadAsync(key, 0, 10));
            await writer.CommitAsync(Ct);
        }

        Assert.Equal(content, await ReadAsync(key, 0, content.Length));
    }

    [Fact]
    public async Task TwoWritersForOneKey_StageApartAndTheLastCommitWins()
    {
        var key = SlotIds.New();
        await using var first = await Store.BeginWriteAsync(key, Ct);
        await using var second = await Store.BeginWriteAsync(key, Ct);
        await first.WriteAsync("first"u8.ToArray(), Ct);
        await second.WriteAsync("second"u8.ToArray(), Ct);

        await first.CommitAsync(Ct);
        await second.CommitAsync(Ct);

        Assert.Equal("second"u8.ToArray(), await ReadAsync(key, 0, 6));
    }

    [Fact]
    public async Task Writer_AfterCommit_RefusesMoreBytesAndASecondCommit()
    {
        await using var writer = await Store.BeginWriteAsync(SlotIds.New(), Ct);
        await writer.WriteAsync(TenBytes, Ct);
        await writer.CommitAsync(Ct);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.WriteAsync(TenBytes, Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CommitAsync(Ct));
    }

    [Fact]
    public async Task Writer_AfterDispose_RefusesMoreBytes()
    {
        var writer = await Store.BeginWriteAsync(SlotIds.New(), Ct);
        await writer.DisposeAsync();
        await writer.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await writer.WriteAsync(TenBytes, Ct));
    }

    [Fact]
    public async Task Write_CancelledToken_Throws()
    {
        await using var writer = await Store.BeginWriteAsync(SlotIds.New(), Ct);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await writer.WriteAsync(TenBytes, cancelled.Token));
    }

    /// <summary>
    /// A blob of several units, in the pieces a request body arrives in: one case ends exactly on a unit (the last unit
    /// goes out at the commit, or was already sent by the write that filled it), the other with a short last unit and
    /// pieces that straddle the units.
    /// </summary>
    [Theory]
    [InlineData(4, 0, RequestPieceSize)]
    [InlineData(2, 1_234, 100_003)]
    public async Task LargeBlob_WrittenInPieces_IsInvisibleUntilCommitAndReadsBackAcrossEveryUnitBoundary(int fullUnits, int extraBytes, int pieceSize)
    {
        var key = SlotIds.New();
        var unit = StagingUnitSize;
        var content = RandomBytes((fullUnits * unit) + extraBytes);

        await using (var writer = await Store.BeginWriteAsync(key, Ct))
        {
            for (var offset = 0; offset < content.Length; offset += pieceSize)
            {
                await writer.WriteAsync(content.AsMemory(offset, Math.Min(pieceSize, content.Length - offset)), Ct);
            }

            Assert.False(await Store.ExistsAsync(key, Ct));
            Assert.Empty(await ListAsync());

            await writer.CommitAsync(Ct);
            Assert.Equal(content.Length, writer.BytesWritten);
        }

        Assert.Equal(content, await ReadAsync(key, 0, content.Length));
        var ranges = new (int Offset, int Length)[]
        {
            (0, 1),
            (unit - 1, 2),
            (2 * unit - 3, 7),
            (fullUnits * unit - 1, 1),
            (content.Length - 1, 1),
            (content.Length, 0),
        };
        foreach (var (offset, length) in ranges)
        {
            Assert.Equal(content.AsSpan(offset, length).ToArray(), await ReadAsync(key, offset, length));
        }
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

        Assert.Equal(TenBytes.Span.Slice((int)offset, (int)length).ToArray(), bytes);
    }

    [Fact]
    public async Task OpenRead_LargeRange_StreamsThroughSmallBuffers()
    {
        var key = SlotIds.New();
        var content = RandomBytes(300_000);
        await WriteBlobAsync(key, content);

        await using var stream = await Store.OpenReadAsync(key, 12_345, 200_000, Ct);
        using var copy = new MemoryStream();
        await stream!.CopyToAsync(copy, bufferSize: 4096, Ct);

        Assert.Equal(content.AsSpan(12_345, 200_000).ToArray(), copy.ToArray());
    }

    [Fact]
    public async Task OpenRead_SynchronousReads_StopAtTheEndOfTheRange()
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, TenBytes);

        await using var stream = await Store.OpenReadAsync(key, 2, 3, Ct);
        var buffer = new byte[8];

        Assert.Equal('2', stream!.ReadByte());
        // A read may return fewer bytes than are left (a network body arrives as it comes), never more than the range.
        var read = stream.Read(buffer, 0, buffer.Length);
        read += read == 1 ? stream.Read(buffer, 1, buffer.Length - 1) : 0;
        Assert.Equal(2, read);
        Assert.Equal("34"u8.ToArray(), buffer[..2]);
        Assert.Equal(0, stream.Read(buffer, 0, buffer.Length));
        Assert.Equal(-1, stream.ReadByte());
        Assert.False(stream.CanSeek);
        Assert.False(stream.CanWrite);
    }

    [Fact]
    public async Task OpenRead_StreamDisposedBeforeItsEnd_LeavesTheStoreUsable()
    {
        // A client that goes away mid-download: each abandoned read must give its connection or handle back.
        var key = SlotIds.New();
        await WriteBlobAsync(key, new byte[256 * 1024]);

        for (var i = 0; i < 5; i++)
        {
            await using var stream = await Store.OpenReadAsync(key, 0, 256 * 1024, Ct);
            Assert.Equal(0, stream!.ReadByte());
        }

        Assert.True(await Store.ExistsAsync(key, Ct));
    }

    [Theory]
    [InlineData(11, 0)]
    [InlineData(10, 1)]
    [InlineData(5, 6)]
    [InlineData(0, 11)]
    [InlineData(1, long.MaxValue)]
    [InlineData(long.MaxValue, 1)]
    public async Task OpenRead_RangeOutsideTheBlob_Throws(long offset, long length)
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, TenBytes);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.OpenReadAsync(key, offset, length, Ct));
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, -1)]
    public async Task OpenRead_NegativeOffsetOrLength_Throws(long offset, long length)
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, TenBytes);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.OpenReadAsync(key, offset, length, Ct));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 5)]
    [InlineData(0, 10)]
    [InlineData(5, 1)]
    public async Task OpenRead_AbsentBlob_ReturnsNull(long offset, long length)
    {
        Assert.Null(await Store.OpenReadAsync(SlotIds.New(), offset, length, Ct));
    }

    [Fact]
    public async Task Delete_ExistingBlob_RemovesIt()
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, TenBytes);

        await Store.DeleteAsync(key, Ct);

        Assert.False(await Store.ExistsAsync(key, Ct));
        Assert.Null(await Store.OpenReadAsync(key, 0, 0, Ct));
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task Delete_MissingBlob_IsFine()
    {
        var key = SlotIds.New();
        await Store.DeleteAsync(key, Ct);

        await WriteBlobAsync(key, TenBytes);
        await Store.DeleteAsync(key, Ct);
        await Store.DeleteAsync(key, Ct);

        Assert.False(await Store.ExistsAsync(key, Ct));
    }

    [Fact]
    public async Task Operations_CancelledToken_ThrowAndChangeNothing()
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, TenBytes);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.BeginWriteAsync(SlotIds.New(), cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.OpenReadAsync(key, 0, 10, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.ExistsAsync(key, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.DeleteAsync(key, cancelled.Token));

        Assert.Equal(TenBytes.ToArray(), await ReadAsync(key, 0, 10));
        Assert.Equal([key], (await ListAsync()).Select(b => b.Key));
    }

    [Fact]
    public async Task RemoveStaged_NothingStaged_ReturnsZero()
    {
        Assert.Equal(0, await Store.RemoveStagedAsync(Ct));
    }

    [Fact]
    public async Task RemoveStaged_AfterAnAbandonedWrite_KeepsEveryCommittedBlob()
    {
        var committed = SlotIds.New();
        await WriteBlobAsync(committed, TenBytes);
        // Left open, as a crash leaves it: never committed, never disposed until the end.
        var crashed = await Store.BeginWriteAsync(SlotIds.New(), Ct);
        await crashed.WriteAsync(StagedContent(fullUnits: 1), Ct);

        var removed = await Store.RemoveStagedAsync(Ct);

        Assert.Equal(RemoveStagedTakesAFreshlyAbandonedWrite ? 1 : 0, removed);
        Assert.Equal(TenBytes.ToArray(), await ReadAsync(committed, 0, 10));
        Assert.Equal([committed], (await ListAsync()).Select(b => b.Key));
        await crashed.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(BlobKeyCases.Invalid), MemberType = typeof(BlobKeyCases))]
    public async Task InvalidKey_IsRefusedByEveryOperation(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.BeginWriteAsync(key, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.OpenReadAsync(key, 0, 0, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ExistsAsync(key, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync(key, Ct));
    }

    [Fact]
    public async Task NullKey_IsRefusedByEveryOperation()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => Store.BeginWriteAsync(null!, Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Store.OpenReadAsync(null!, 0, 0, Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Store.ExistsAsync(null!, Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Store.DeleteAsync(null!, Ct));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(BlobKeys.MaxLength)]
    public async Task ValidKey_OfAnyAllowedLength_RoundTrips(int length)
    {
        var key = string.Concat(Enumerable.Range(0, length).Select(i => "a0z9"[i % 4]));

        await WriteBlobAsync(key, TenBytes);

        Assert.Equal(TenBytes.ToArray(), await ReadAsync(key, 0, 10));
    }

    [Fact]
    public async Task List_YieldsEveryCommittedBlobWithItsLastModified()
    {
        // The services keep whole seconds, and their clocks are this machine's: a margin either side.
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var keys = new[] { SlotIds.New(), SlotIds.New(), "a", "ab" };
        foreach (var key in keys)
        {
            await WriteBlobAsync(key, TenBytes);
        }

        var after = DateTimeOffset.UtcNow.AddSeconds(5);

        var listed = await ListAsync();

        Assert.Equal(keys.Order(), listed.Select(b => b.Key).Order());
        Assert.All(listed, b => Assert.InRange(b.LastModified, before, after));
        Assert.All(listed, b => Assert.Equal(TimeSpan.Zero, b.LastModified.Offset));
    }

    [Fact]
    public async Task List_MoreBlobsThanAPage_YieldsEachBlobOnce()
    {
        var keys = Enumerable.Range(0, 7).Select(_ => SlotIds.New()).ToArray();
        foreach (var key in keys)
        {
            await WriteBlobAsync(key, TenBytes);
        }

        var listed = await ListAsync(OpenAnotherNode(listPageSize: 2));

        Assert.Equal(keys.Order(), listed.Select(b => b.Key).Order());
    }

    [Fact]
    public async Task List_SkipsStagedWritesDeletedBlobsAndNamesThatAreNotKeys()
    {
        var kept = SlotIds.New();
        var deleted = SlotIds.New();
        await WriteBlobAsync(kept, TenBytes);
        await WriteBlobAsync(deleted, TenBytes);
        await Store.DeleteAsync(deleted, Ct);
        await using var staged = await Store.BeginWriteAsync(SlotIds.New(), Ct);
        await staged.WriteAsync(StagedContent(fullUnits: 1), Ct);
        await PutEntriesThatAreNotBlobsAsync(kept);

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
            await foreach (var _ in Store.ListAsync(cancelled.Token))
            {
            }
        });
    }

    /// <summary>Creates <see cref="Store"/>; called once per test, before it runs.</summary>
    protected abstract ValueTask<TStore> CreateStoreAsync();

    /// <summary>
    /// A store on the same blobs as <see cref="Store"/>, as another node of a cluster opens it, that lists at most
    /// <paramref name="listPageSize"/> blobs per request to its service (where listing goes by pages).
    /// </summary>
    protected abstract IBlobStore CreateAnotherNode(int listPageSize);

    /// <summary>
    /// Puts beside the blob of <paramref name="key"/> what an operator or another program might leave in the store:
    /// entries that no key reaches, so that no listing may yield them.
    /// </summary>
    protected abstract Task PutEntriesThatAreNotBlobsAsync(string key);

    protected static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(count).NextBytes(bytes);
        return bytes;
    }

    protected static async Task WriteBlobAsync(IBlobStore store, string key, ReadOnlyMemory<byte> content)
    {
        await using var writer = await store.BeginWriteAsync(key, Ct);
        await writer.WriteAsync(content, Ct);
        await writer.CommitAsync(Ct);
    }

    protected static async Task<List<BlobListing>> ListAsync(IBlobStore store)
    {
        var listed = new List<BlobListing>();
        await foreach (var blob in store.ListAsync(Ct))
        {
            listed.Add(blob);
        }

        return listed;
    }

    protected Task WriteBlobAsync(string key, ReadOnlyMemory<byte> content) => WriteBlobAsync(Store, key, content);

    /// <summary>Writes <paramref name="content"/> for <paramref name="key"/> and disposes the writer without a commit.</summary>
    protected async Task AbandonWriteAsync(string key, ReadOnlyMemory<byte> content)
    {
        await using var writer = await Store.BeginWriteAsync(key, Ct);
        await writer.WriteAsync(content, Ct);
    }

    protected Task<List<BlobListing>> ListAsync() => ListAsync(Store);

    /// <summary>
    /// Writes ten bytes in two pieces through <paramref name="writingStore"/> (<see cref="Store"/> or another store on
    /// its blobs), commits them, and checks that <see cref="Store"/> finds, reads and lists them; returns their key.
    /// </summary>
    protected async Task<string> CommitTenBytesInTwoPiecesAndReadThemAsync(IBlobStore writingStore)
    {
        var key = SlotIds.New();

        await using (var writer = await writingStore.BeginWriteAsync(key, Ct))
        {
            await writer.WriteAsync(TenBytes[..4], Ct);
            await writer.WriteAsync(TenBytes[4..], Ct);
            Assert.Equal(10, writer.BytesWritten);
            await writer.CommitAsync(Ct);
        }

        Assert.True(await Store.ExistsAsync(key, Ct));
        Assert.Equal(TenBytes.ToArray(), await ReadAsync(key, 0, 10));
        Assert.Equal([key], (await ListAsync()).Select(b => b.Key));
        return key;
    }

    /// <summary>Exactly <paramref name="length"/> bytes from <paramref name="offset"/> of a blob that must exist.</summary>
    protected async Task<byte[]> ReadAsync(string key, long offset, long length)
    {
        await using var stream = await Store.OpenReadAsync(key, offset, length, Ct);
        Assert.NotNull(stream);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }

    /// <summary>Ten bytes past <paramref name="fullUnits"/> staging units: with none, the bytes may still be in the writer.</summary>
    protected byte[] StagedContent(int fullUnits) => RandomBytes((fullUnits * StagingUnitSize) + 10);

    private IBlobStore OpenAnotherNode(int listPageSize)
    {
        var store = CreateAnotherNode(listPageSize);
        _otherNodes.Add(store);
        return store;
    }
}
