using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Http.Tests.Support;
using XmppUpload.Http.Upload;
using XmppUpload.Testing;

namespace XmppUpload.Http.Tests;

/// <summary>
/// GET and HEAD of a stored file read the ledger once per <c>Http:StoredSlotCacheDuration</c>, on the server's fake
/// clock: what a cached record may and may not let through.
/// </summary>
public sealed class StoredSlotCacheTests
{
    private static readonly TimeSpan Period = new HttpOptions().StoredSlotCacheDuration;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Gets_OfOneStoredFile_ReadTheLedgerOncePerPeriod()
    {
        await using var server = await UploadServer.StartAsync();
        var bytes = RandomNumberGenerator.GetBytes(1000);
        var slot = await server.StoreAsync("photo.png", bytes, "image/png");
        var before = server.Ledger.Finds;

        for (var i = 0; i < 3; i++)
        {
            using var get = await server.GetAsync(slot.GetUrl);
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(bytes, await get.Content.ReadAsByteArrayAsync(Token));
        }

        using (var head = await server.SendAsync(HttpMethod.Head, slot.GetUrl))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }

        Assert.Equal(before + 1, server.Ledger.Finds);

        server.Clock.Advance(Period);
        using (var later = await server.GetAsync(slot.GetUrl))
        {
            Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        }

        Assert.Equal(before + 2, server.Ledger.Finds);
    }

    [Fact]
    public async Task Get_OfAFileDeletedWithItsBytesAfterItWasCached_Is404AtOnce_FromWhatTheLedgerSaysNow()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.StoreAsync("gone.bin", RandomNumberGenerator.GetBytes(1000));
        using (var first = await server.GetAsync(slot.GetUrl))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await DeleteAsync(server, slot.Slot.Id, withBytes: true);
        var before = server.Ledger.Finds;

        using var get = await server.GetAsync(slot.GetUrl);

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        // The answer for a deleted file, not the one for a stored file whose bytes are missing.
        Assert.Equal("404 Not Found: there is no file at this URL; it was never uploaded, has expired or was removed", (await get.Content.ReadAsStringAsync(Token)).TrimEnd());
        Assert.Equal(before + 1, server.Ledger.Finds);
        using var again = await server.GetAsync(slot.GetUrl);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Get_OfAFileWhoseRecordWasDeletedButNotItsBytes_IsServedAtMostOnePeriodLonger()
    {
        await using var server = await UploadServer.StartAsync();
        var bytes = RandomNumberGenerator.GetBytes(1000);
        var slot = await server.StoreAsync("lingering.bin", bytes);
        using (var first = await server.GetAsync(slot.GetUrl))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await DeleteAsync(server, slot.Slot.Id, withBytes: false);

        server.Clock.Advance(Period - TimeSpan.FromMilliseconds(1));
        using (var within = await server.GetAsync(slot.GetUrl))
        {
            Assert.Equal(HttpStatusCode.OK, within.StatusCode);
            Assert.Equal(bytes, await within.Content.ReadAsByteArrayAsync(Token));
        }

        server.Clock.Advance(TimeSpan.FromMilliseconds(1));
        using var after = await server.GetAsync(slot.GetUrl);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task Get_BeforeTheUpload_IsNotRemembered_SoTheFileIsServedAsSoonAsItIsStored()
    {
        await using var server = await UploadServer.StartAsync();
        var bytes = RandomNumberGenerator.GetBytes(1000);
        var slot = await server.GrantAsync("soon.bin", bytes.Length);
        using (var early = await server.GetAsync(slot.GetUrl))
        {
            Assert.Equal(HttpStatusCode.NotFound, early.StatusCode);
        }

        using (var put = await server.PutAsync(slot, bytes))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using var get = await server.GetAsync(slot.GetUrl);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(bytes, await get.Content.ReadAsByteArrayAsync(Token));
    }

    [Fact]
    public async Task Gets_WithTheCacheTurnedOff_ReadTheLedgerEveryTime()
    {
        await using var server = await UploadServer.StartAsync(settings: new Dictionary<string, string?> { ["Http:StoredSlotCacheDuration"] = "00:00:00" });
        var slot = await server.StoreAsync("plain.bin", RandomNumberGenerator.GetBytes(100));
        var before = server.Ledger.Finds;

        for (var i = 0; i < 3; i++)
        {
            using var get = await server.GetAsync(slot.GetUrl);
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        }

        Assert.Equal(before + 3, server.Ledger.Finds);
    }

    [Fact]
    public void Cache_WhenFull_StartsAfresh_AndKeepsOnlyStoredSlots()
    {
        var clock = new FakeTimeProvider();
        var cache = new StoredSlotCache(new HttpOptions().StoredSlotCacheDuration, clock);
        var first = StoredSlot(clock, "first");
        cache.Remember(first);
        for (var i = 1; i < StoredSlotCache.MaxEntries; i++)
        {
            cache.Remember(StoredSlot(clock, $"s{i}"));
        }

        Assert.True(cache.TryGet("first", out var found));
        Assert.Same(first, found);

        cache.Remember(StoredSlot(clock, "one-too-many"));

        Assert.False(cache.TryGet("first", out _));
        Assert.True(cache.TryGet("one-too-many", out _));
        var pending = new Slot { Id = "pending", Owner = "a@example.org", FileName = "f", Size = 1, Purpose = Purpose.Message, CreatedAt = clock.GetUtcNow(), PutDeadline = clock.GetUtcNow().AddMinutes(5) };
        cache.Remember(pending);
        Assert.False(cache.TryGet("pending", out _));
    }

    private static Slot StoredSlot(FakeTimeProvider clock, string id) => Slot.Restore(
        new Slot { Id = id, Owner = "a@example.org", FileName = "f.bin", Size = 1, Purpose = Purpose.Message, CreatedAt = clock.GetUtcNow(), PutDeadline = clock.GetUtcNow().AddMinutes(5) },
        SlotState.Stored,
        clock.GetUtcNow());

    /// <summary>What the sweeper does to a file past its retention: the record first, then (or never, if it fails) the bytes.</summary>
    private static async Task DeleteAsync(UploadServer server, string slotId, bool withBytes)
    {
        var sweep = server.Services.GetRequiredService<ISweepLedger>();
        Assert.Equal(1, await sweep.ExpireStoredAsync(server.Clock.GetUtcNow().AddYears(10), 100, Token));
        Assert.Equal(SlotState.Deleted, (await server.Ledger.FindSlotAsync(slotId, Token))!.State);
        if (withBytes)
        {
            await server.Blobs.DeleteAsync(slotId, Token);
        }
    }
}
