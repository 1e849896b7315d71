using Microsoft.Extensions.Logging.Abstractions;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Storage.AzureBlob;

namespace XmppUpload.Storage.Tests.AzureBlob;

/// <summary>The behaviour the file-system store's tests pin down, against a real Azurite.</summary>
public sealed class AzureBlobStoreTests : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly byte[] TenBytes = "0123456789"u8.ToArray();

    private readonly AzuriteFixture _azurite;
    private readonly AzureBlobStore _store;

    // Blocks of 4 bytes: ten bytes make three Put Blocks, so staging really happens on the service.
    private readonly AzureBlobStore _smallBlocks;

    public AzureBlobStoreTests(AzuriteFixture azurite)
    {
        _azurite = azurite;
        _store = azurite.CreateStore();
        var container = _store.ContainerUri.Segments[^1];
        _smallBlocks = azurite.CreateStore(options =>
        {
            options.Container = container;
            options.BlockSize = 4;
        });
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await _store.EnsureContainerAsync(Ct);

    public ValueTask DisposeAsync()
    {
        _store.Dispose();
        _smallBlocks.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task BeginWrite_BeforeCommit_BlobIsInvisible()
    {
        var key = SlotIds.New();
        await using var writer = await _smallBlocks.BeginWriteAsync(key, Ct);
        await writer.WriteAsync(TenBytes, Ct);

        Assert.False(await _store.ExistsAsync(key, Ct));
        Assert.Null(await _store.OpenReadAsync(key, 0, 0, Ct));
        Assert.Null(await _store.OpenReadAsync(key, 0, 4, Ct));
        Assert.Empty(await ListAsync(_store));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(AzureBlobStorageOptions.DefaultBlockSize)]
    public async Task Commit_MakesTheBytesReadableUnderTheKey_WhateverTheBlockSize(int blockSize)
    {
        var key = SlotIds.New();
        using var store = _azurite.CreateStore(options =>
        {
            options.Container = _store.ContainerUri.Segments[^1];
            options.BlockSize = blockSize;
        });

        await using (var writer = await store.BeginWriteAsync(key, Ct))
        {
            await writer.WriteAsync(TenBytes.AsMemory(0, 4), Ct);
            await writer.WriteAsync(TenBytes.AsMemory(4), Ct);
            Assert.Equal(10, writer.BytesWritten);
            await writer.CommitAsync(Ct);
        }

        Assert.True(await _store.ExistsAsync(key, Ct));
        Assert.Equal(TenBytes, await ReadAsync(key, 0, 10));
        Assert.Equal([key], (await ListAsync(_store)).Select(b => b.Key));
    }

    [Fact]
    public async Task Commit_NoBytes_MakesAnEmptyBlob()
    {
        var key = SlotIds.New();

        await WriteBlobAsync(_store, key, []);

        Assert.True(await _store.ExistsAsync(key, Ct));
        Assert.Empty(await ReadAsync(key, 0, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.OpenReadAsync(key, 0, 1, Ct));
    }

    [Fact]
    public async Task DisposeWithoutCommit_LeavesNothingVisible()
    {
        var key = SlotIds.New();

        await using (var writer = await _smallBlocks.BeginWriteAsync(key, Ct))
        {
            await writer.WriteAsync(TenBytes, Ct);
        }

        Assert.False(await _store.ExistsAsync(key, Ct));
        Assert.Null(await _store.OpenReadAsync(key, 0, 0, Ct));
        Assert.Empty(await ListAsync(_store));
    }

    [Fact]
    public async Task DisposeWithoutCommit_KeepsTheEarlierBlob()
    {
        var key = SlotIds.New();
        await WriteBlobAsync(_store, key, TenBytes);

        await using (var writer = await _smallBlocks.BeginWriteAsync(key, Ct))
        {
            await writer.WriteAsync("abandoned upload"u8.ToArray(), Ct);
        }

        Assert.Equal(TenBytes, await ReadAsync(key, 0, 10));
    }

    [Fact]
    public async Task Commit_ExistingKey_ReplacesTheBlob()
    {
        var key = SlotIds.New();
        await WriteBlobAsync(_store, key, TenBytes);

        await WriteBlobAsync(_smallBlocks, key, "new"u8.ToArray());

        Assert.Equal("new"u8.ToArray(), await ReadAsync(key, 0, 3));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.OpenReadAsync(key, 0, 10, Ct));
        Assert.Single(await ListAsync(_store));
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
    public async Task TwoWritersForOneKey_WithBlocksStagedBeforeTheFirstCommit_TheSecondCommitFailsAndTheFirstBlobStays()
    {
        // A commit discards every uncommitted block of its blob (Put Block List), the other writer's too: the late
        // writer cannot complete, and never leaves a mixture of both.
        var key = SlotIds.New();
        await using var first = await _smallBlocks.BeginWriteAsync(key, Ct);
        await using var second = await _smallBlocks.BeginWriteAsync(key, Ct);
        await first.WriteAsync("first writer"u8.ToArray(), Ct);
        await second.WriteAsync("second writer"u8.ToArray(), Ct);

        await first.CommitAsync(Ct);
        var refused = await Assert.ThrowsAsync<AzureBlobStorageException>(() => second.CommitAsync(Ct));

        Assert.Equal("InvalidBlockList", refused.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("first writer"u8.ToArray(), await ReadAsync(key, 0, 12));
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
    public async Task Writer_AfterDispose_RefusesMoreBytes()
    {
        var writer = await _store.BeginWriteAsync(SlotIds.New(), Ct);
        await writer.DisposeAsync();
        await writer.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await writer.WriteAsync(TenBytes, Ct));
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
    public async Task Commit_CancelledToken_ThrowsAndPublishesNothing()
    {
        var key = SlotIds.New();
        await using var writer = await _smallBlocks.BeginWriteAsync(key, Ct);
        await writer.WriteAsync(TenBytes, Ct);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writer.CommitAsync(cancelled.Token));

        Assert.False(await _store.ExistsAsync(key, Ct));
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
        await WriteBlobAsync(_smallBlocks, key, TenBytes);

        var bytes = await ReadAsync(key, offset, length);

        Assert.Equal(TenBytes.AsSpan((int)offset, (int)length).ToArray(), bytes);
    }

    [Fact]
    public async Task OpenRead_LargeRange_StreamsThroughSmallBuffers()
    {
        var key = SlotIds.New();
        var content = new byte[300_000];
        new Random(363).NextBytes(content);
        using var store = _azurite.CreateStore(options =>
        {
            options.Container = _store.ContainerUri.Segments[^1];
            options.BlockSize = 64 * 1024;
        });
        await WriteBlobAsync(store, key, content);

        await using var stream = await _store.OpenReadAsync(key, 12_345, 200_000, Ct);
        Assert.Equal(200_000, stream!.Length);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, bufferSize: 4096, Ct);

        Assert.Equal(content.AsSpan(12_345, 200_000).ToArray(), copy.ToArray());
    }

    [Fact]
    public async Task OpenRead_SynchronousReads_StopAtTheEndOfTheRange()
    {
        var key = SlotIds.New();
        await WriteBlobAsync(_store, key, TenBytes);

        await using var stream = await _store.OpenReadAsync(key, 2, 3, Ct);
        var buffer = new byte[8];

        Assert.Equal('2', stream!.ReadByte());
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
    public async Task OpenRead_StreamDisposedBeforeItsEnd_LeavesTheClientUsable()
    {
        var key = SlotIds.New();
        await WriteBlobAsync(_store, key, new byte[256 * 1024]);

        for (var i = 0; i < 5; i++)
        {
            await using var stream = await _store.OpenReadAsync(key, 0, 256 * 1024, Ct);
            Assert.Equal(0, stream!.ReadByte());
        }

        Assert.True(await _store.ExistsAsync(key, Ct));
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
        await WriteBlobAsync(_store, key, TenBytes);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.OpenReadAsync(key, offset, length, Ct));
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, -1)]
    public async Task OpenRead_NegativeOffsetOrLength_Throws(long offset, long length)
    {
        var key = SlotIds.New();
        await WriteBlobAsync(_store, key, TenBytes);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.OpenReadAsync(key, offset, length, Ct));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 10)]
    [InlineData(5, 1)]
    public async Task OpenRead_AbsentBlob_ReturnsNull(long offset, long length)
    {
        Assert.Null(await _store.OpenReadAsync(SlotIds.New(), offset, length, Ct));
    }

    [Fact]
    public async Task Delete_ExistingBlob_RemovesIt()
    {
        var key = SlotIds.New();
        await WriteBlobAsync(_store, key, TenBytes);

        await _store.DeleteAsync(key, Ct);

        Assert.False(await _store.ExistsAsync(key, Ct));
        Assert.Null(await _store.OpenReadAsync(key, 0, 0, Ct));
        Assert.Empty(await ListAsync(_store));
    }

    [Fact]
    public async Task Delete_MissingBlob_IsFine()
    {
        var key = SlotIds.New();
        await _store.DeleteAsync(key, Ct);

        await WriteBlobAsync(_store, key, TenBytes);
        await _store.DeleteAsync(key, Ct);
        await _store.DeleteAsync(key, Ct);

        Assert.False(await _store.ExistsAsync(key, Ct));
    }

    [Fact]
    public async Task RemoveStaged_AfterAnAbandonedUpload_RemovesNothingAndKeepsCommittedBlobs()
    {
        var committed = SlotIds.New();
        await WriteBlobAsync(_store, committed, TenBytes);
        var crashed = await _smallBlocks.BeginWriteAsync(SlotIds.New(), Ct);
        await crashed.WriteAsync(TenBytes, Ct);

        Assert.Equal(0, await _store.RemoveStagedAsync(Ct));

        Assert.Equal(TenBytes, await ReadAsync(committed, 0, 10));
        Assert.Equal([committed], (await ListAsync(_store)).Select(b => b.Key));
        await crashed.DisposeAsync();
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
        "abc?comp=list",
        "caf\u00e9",
        "\uff41bc",
        new string('a', AzureBlobStore.MaxKeyLength + 1),
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
    [InlineData(AzureBlobStore.MaxKeyLength)]
    public async Task ValidKey_OfAnyAllowedLength_RoundTrips(int length)
    {
        var key = string.Concat(Enumerable.Range(0, length).Select(i => "a0z9"[i % 4]));

        await WriteBlobAsync(_store, key, TenBytes);

        Assert.Equal(TenBytes, await ReadAsync(key, 0, 10));
    }

    [Fact]
    public async Task List_YieldsEveryCommittedBlobWithItsLastModifiedTime()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var keys = new[] { SlotIds.New(), SlotIds.New(), "a", "ab" };
        foreach (var key in keys)
        {
            await WriteBlobAsync(_store, key, TenBytes);
        }

        var after = DateTimeOffset.UtcNow.AddSeconds(5);

        var listed = await ListAsync(_store);

        Assert.Equal(keys.Order(), listed.Select(b => b.Key).Order());
        Assert.All(listed, b => Assert.InRange(b.LastModified, before, after));
    }

    [Fact]
    public async Task List_MoreBlobsThanAPage_FollowsTheMarkers()
    {
        using var store = _azurite.CreateStore(options =>
        {
            options.Container = _store.ContainerUri.Segments[^1];
            options.ListPageSize = 2;
        });
        var keys = Enumerable.Range(0, 7).Select(_ => SlotIds.New()).ToArray();
        foreach (var key in keys)
        {
            await WriteBlobAsync(_store, key, TenBytes);
        }

        var listed = await ListAsync(store);

        Assert.Equal(keys.Order(), listed.Select(b => b.Key).Order());
    }

    [Fact]
    public async Task List_SkipsStagedWritesDeletedBlobsAndNamesThatAreNotKeys()
    {
        var kept = SlotIds.New();
        var deleted = SlotIds.New();
        await WriteBlobAsync(_store, kept, TenBytes);
        await WriteBlobAsync(_store, deleted, TenBytes);
        await _store.DeleteAsync(deleted, Ct);
        await using var staged = await _smallBlocks.BeginWriteAsync(SlotIds.New(), Ct);
        await staged.WriteAsync(TenBytes, Ct);

        // What an operator or another program might put in the container: none of it is reachable by a key.
        using (var client = new AzureBlobClient(
            AzureStorageConnectionString.Parse(_azurite.Server.ConnectionString),
            _store.ContainerUri.Segments[^1],
            TimeProvider.System,
            NullLogger.Instance))
        {
            foreach (var name in new[] { "README.txt", "nested/" + kept, "UPPER", "caf\u00e9" })
            {
                await client.PutBlockListAsync(name, [], Ct);
            }
        }

        var listed = await ListAsync(_store);

        Assert.Equal([kept], listed.Select(b => b.Key));
    }

    [Fact]
    public async Task List_EmptyStore_YieldsNothing()
    {
        Assert.Empty(await ListAsync(_store));
    }

    [Fact]
    public async Task List_ContainerNotCreatedYet_YieldsNothing()
    {
        using var store = _azurite.CreateStore();

        Assert.Empty(await ListAsync(store));
        Assert.False(await store.ExistsAsync("abc", Ct));
        Assert.Null(await store.OpenReadAsync("abc", 0, 1, Ct));
        await store.DeleteAsync("abc", Ct);
    }

    [Fact]
    public async Task List_CancelledToken_Throws()
    {
        await WriteBlobAsync(_store, SlotIds.New(), TenBytes);
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
    public async Task EnsureContainer_Again_IsFine()
    {
        await _store.EnsureContainerAsync(Ct);
        await _store.EnsureContainerAsync(Ct);
    }

    [Fact]
    public async Task Write_ContainerMissing_FailsWithTheServiceErrorCode()
    {
        using var store = _azurite.CreateStore();
        await using var writer = await store.BeginWriteAsync(SlotIds.New(), Ct);
        await writer.WriteAsync(TenBytes, Ct);

        var refused = await Assert.ThrowsAsync<AzureBlobStorageException>(() => writer.CommitAsync(Ct));

        Assert.Equal("ContainerNotFound", refused.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Contains("ContainerNotFound", refused.Message, StringComparison.Ordinal);
        Assert.NotNull(refused.RequestId);
    }

    [Fact]
    public async Task WrongAccountKey_EveryOperationFailsWithAuthenticationFailed()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        using var store = _azurite.CreateStore(options => options.ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={wrongKey};BlobEndpoint={_azurite.Server.BlobEndpoint}");

        var onHead = await Assert.ThrowsAsync<AzureBlobStorageException>(() => store.ExistsAsync("abc", Ct));
        var onPut = await Assert.ThrowsAsync<AzureBlobStorageException>(() => store.EnsureContainerAsync(Ct));

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, onHead.StatusCode);
        Assert.Equal("AuthorizationFailure", onHead.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, onPut.StatusCode);
        Assert.Contains("Server failed to authenticate the request", onPut.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongKey, onPut.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseDevelopmentStorage_WithTheProxyUriOfThisAzurite_RoundTrips()
    {
        using var store = _azurite.CreateStore(options => options.ConnectionString = _azurite.Server.DevelopmentConnectionString);
        await store.EnsureContainerAsync(Ct);
        var key = SlotIds.New();

        await WriteBlobAsync(store, key, TenBytes);

        await using var stream = await store.OpenReadAsync(key, 0, 10, Ct);
        using var copy = new MemoryStream();
        await stream!.CopyToAsync(copy, Ct);
        Assert.Equal(TenBytes, copy.ToArray());
    }

    private static async Task<List<BlobListing>> ListAsync(AzureBlobStore store)
    {
        var listed = new List<BlobListing>();
        await foreach (var blob in store.ListAsync(Ct))
        {
            listed.Add(blob);
        }

        return listed;
    }

    private static async Task WriteBlobAsync(AzureBlobStore store, string key, byte[] content)
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
