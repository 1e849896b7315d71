using Microsoft.Extensions.Logging.Abstractions;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Storage.AzureBlob;

namespace XmppUpload.Storage.Tests.AzureBlob;

/// <summary>
/// The <see cref="IBlobStore"/> contract against a real Azurite, and what only the Azure store does: blocks of any size
/// committed by one Put Block List, the container, the service's error codes and Shared Key authentication.
/// </summary>
public sealed class AzureBlobStoreTests(AzuriteFixture azurite) : BlobStoreContractTests<AzureBlobStore>, IClassFixture<AzuriteFixture>
{
    // Small enough that the contract's blobs take several Put Blocks, large enough to stay far below 50,000 blocks.
    private const int BlockSize = 64 * 1024;

    protected override int StagingUnitSize => BlockSize;

    // Uncommitted blocks are the service's to discard: there is nothing to remove.
    protected override bool RemoveStagedTakesAFreshlyAbandonedWrite => false;

    private string Container => Store.ContainerUri.Segments[^1];

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(AzureBlobStorageOptions.DefaultBlockSize)]
    public async Task Commit_MakesTheBytesReadableUnderTheKey_WhateverTheBlockSize(int blockSize)
    {
        using var store = Open(blockSize);

        var key = await CommitTenBytesInTwoPiecesAndReadThemAsync(store);

        // Across the blocks of the small sizes.
        Assert.Equal(TenBytes[3..7].ToArray(), await ReadAsync(key, 3, 4));
    }

    [Fact]
    public async Task TwoWritersForOneKey_WithBlocksStagedBeforeTheFirstCommit_TheSecondCommitFailsAndTheFirstBlobStays()
    {
        // A commit discards every uncommitted block of its blob (Put Block List), the other writer's too: the late
        // writer cannot complete, and never leaves a mixture of both.
        var key = SlotIds.New();
        using var smallBlocks = Open(blockSize: 4);
        await using var first = await smallBlocks.BeginWriteAsync(key, Ct);
        await using var second = await smallBlocks.BeginWriteAsync(key, Ct);
        await first.WriteAsync("first writer"u8.ToArray(), Ct);
        await second.WriteAsync("second writer"u8.ToArray(), Ct);

        await first.CommitAsync(Ct);
        var refused = await Assert.ThrowsAsync<AzureBlobStorageException>(() => second.CommitAsync(Ct));

        Assert.Equal("InvalidBlockList", refused.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("first writer"u8.ToArray(), await ReadAsync(key, 0, 12));
    }

    [Fact]
    public async Task OpenRead_Stream_KnowsTheLengthOfItsRange()
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, RandomBytes(300_000));

        await using var stream = await Store.OpenReadAsync(key, 12_345, 200_000, Ct);

        Assert.Equal(200_000, stream!.Length);
    }

    [Fact]
    public async Task List_ContainerNotCreatedYet_YieldsNothing()
    {
        using var store = azurite.CreateStore();

        Assert.Empty(await ListAsync(store));
        Assert.False(await store.ExistsAsync("abc", Ct));
        Assert.Null(await store.OpenReadAsync("abc", 0, 1, Ct));
        await store.DeleteAsync("abc", Ct);
    }

    [Fact]
    public async Task EnsureContainer_Again_IsFine()
    {
        await Store.EnsureContainerAsync(Ct);
        await Store.EnsureContainerAsync(Ct);
    }

    [Fact]
    public async Task Write_ContainerMissing_FailsWithTheServiceErrorCode()
    {
        using var store = azurite.CreateStore();
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
        using var store = azurite.CreateStore(options => options.ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={wrongKey};BlobEndpoint={azurite.Server.BlobEndpoint}");

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
        using var store = azurite.CreateStore(options => options.ConnectionString = azurite.Server.DevelopmentConnectionString);
        await store.EnsureContainerAsync(Ct);
        var key = SlotIds.New();

        await WriteBlobAsync(store, key, TenBytes);

        await using var stream = await store.OpenReadAsync(key, 0, 10, Ct);
        using var copy = new MemoryStream();
        await stream!.CopyToAsync(copy, Ct);
        Assert.Equal(TenBytes.ToArray(), copy.ToArray());
    }

    protected override async ValueTask<AzureBlobStore> CreateStoreAsync()
    {
        var store = azurite.CreateStore(options => options.BlockSize = BlockSize);
        await store.EnsureContainerAsync(Ct);
        return store;
    }

    protected override IBlobStore CreateAnotherNode(int listPageSize) => azurite.CreateStore(options =>
    {
        options.Container = Container;
        options.BlockSize = BlockSize;
        options.ListPageSize = listPageSize;
    });

    protected override async Task PutEntriesThatAreNotBlobsAsync(string key)
    {
        using var client = new AzureBlobClient(
            AzureStorageConnectionString.Parse(azurite.Server.ConnectionString),
            Container,
            TimeProvider.System,
            NullLogger.Instance);
        foreach (var name in new[] { "README.txt", "nested/" + key, "UPPER", "caf\u00e9" })
        {
            await client.PutBlockListAsync(name, [], Ct);
        }
    }

    private AzureBlobStore Open(int blockSize) => azurite.CreateStore(options =>
    {
        options.Container = Container;
        options.BlockSize = blockSize;
    });
}
