using System.Security.Cryptography;
using XmppUpload.Core.Slots;

namespace XmppUpload.Storage.Tests.AzureBlob;

/// <summary>Declares the collection whose tests run alone, so that allocation counts are theirs only.</summary>
[CollectionDefinition(nameof(AllocationMeasuring), DisableParallelization = true)]
public sealed class AllocationMeasuring;

/// <summary>A 20 MiB blob through the default 4 MiB blocks, written and read through 64 KiB buffers.</summary>
[Collection(nameof(AllocationMeasuring))]
public sealed class AzureBlobLargeBlobTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const int Size = 20 * 1024 * 1024;
    private const int ChunkSize = 64 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwentyMegabytes_RoundTripThroughSmallBuffers_WithoutEverHoldingTheFile()
    {
        using var store = azurite.CreateStore();
        await store.EnsureContainerAsync(Ct);
        var key = SlotIds.New();
        var chunk = new byte[ChunkSize];
        var random = new Random(363);
        using var sent = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var received = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        // Warm up the HTTP connection and the code paths, so that one-time costs do not count.
        await using (var warmUp = await store.BeginWriteAsync(SlotIds.New(), Ct))
        {
            await warmUp.WriteAsync(chunk, Ct);
            await warmUp.CommitAsync(Ct);
        }

        var beforeWrite = GC.GetTotalAllocatedBytes(precise: true);
        await using (var writer = await store.BeginWriteAsync(key, Ct))
        {
            for (var written = 0; written < Size; written += ChunkSize)
            {
                random.NextBytes(chunk);
                sent.AppendData(chunk);
                await writer.WriteAsync(chunk, Ct);
            }

            await writer.CommitAsync(Ct);
        }

        var writeAllocated = GC.GetTotalAllocatedBytes(precise: true) - beforeWrite;

        var beforeRead = GC.GetTotalAllocatedBytes(precise: true);
        long total = 0;
        await using (var stream = await store.OpenReadAsync(key, 0, Size, Ct))
        {
            int read;
            while ((read = await stream!.ReadAsync(chunk, Ct)) > 0)
            {
                received.AppendData(chunk, 0, read);
                total += read;
            }
        }

        var readAllocated = GC.GetTotalAllocatedBytes(precise: true) - beforeRead;

        Assert.Equal(Size, total);
        Assert.Equal(sent.GetHashAndReset(), received.GetHashAndReset());
        // At most one 4 MiB block buffer (when the pool has none to lend) and some per-request overhead.
        Assert.True(writeAllocated < 6 * 1024 * 1024, $"writing 20 MiB allocated {writeAllocated} bytes");
        Assert.True(readAllocated < 1024 * 1024, $"reading 20 MiB allocated {readAllocated} bytes");
    }
}
