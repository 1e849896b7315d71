using Microsoft.Extensions.Logging.Abstractions;
using XmppUpload.Core.Dav;
using XmppUpload.Storage.Postgres;

namespace XmppUpload.Storage.Tests.Postgres;

/// <summary>
/// The WebDAV tree under concurrent changes from several nodes: three stores, each on a ledger of its own (its own
/// connection pool), share nothing but the database, as three nodes behind a balancer do.
/// </summary>
public sealed class PostgresDavConcurrencyTests(PostgresServerFixture server) : PostgresTestBase(server)
{
    private const string Romeo = "romeo@montague.tld";
    private const string Juliet = "juliet@capulet.tld";

    private int _blobs;

    [Fact]
    public async Task Put_64ConcurrentFilesOfOneOwnerOnThreeNodes_NeverExceedTheQuota()
    {
        const int Requests = 64;
        const long Size = 100;
        const long Quota = 10 * Size;
        var nodes = ThreeNodes();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var puts = Enumerable.Range(0, Requests)
            .Select(i => Task.Run(
                async () =>
                {
                    await go.Task;
                    return await PutAsync(nodes[i % nodes.Length], $"/file-{i:D2}.bin", Romeo, Size, Quota);
                },
                Ct))
            .ToArray();
        go.SetResult();

        var outcomes = await Task.WhenAll(puts);

        Assert.Equal(10, outcomes.Count(o => o.Outcome == DavOutcome.Created));
        Assert.Equal(Requests - 10, outcomes.Count(o => o.Outcome == DavOutcome.OverQuota));
        Assert.Equal(Quota, await nodes[0].GetUsageAsync(Romeo, Ct));
        Assert.Equal(10L, Fixture.Scalar($"SELECT count(*) FROM dav_resources WHERE owner = '{Romeo}'"));
    }

    [Fact]
    public async Task PutAndCopy_ConcurrentOfOneOwnerOnThreeNodes_NeverExceedTheQuota()
    {
        // Copies add to the copier's usage as PUTs do; both take the same account lock.
        const long Size = 100;
        const long Quota = 10 * Size;
        var nodes = ThreeNodes();
        Assert.Equal(DavOutcome.Created, (await PutAsync(nodes[0], "/seed.bin", Romeo, Size, Quota)).Outcome);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var changes = Enumerable.Range(0, 40)
            .Select(i => Task.Run(
                async () =>
                {
                    await go.Task;
                    var node = nodes[i % nodes.Length];
                    return i % 2 == 0
                        ? await PutAsync(node, $"/put-{i:D2}.bin", Romeo, Size, Quota)
                        : await node.CopyAsync(Transfer("/seed.bin", $"/copy-{i:D2}.bin", Romeo, Quota), Ct);
                },
                Ct))
            .ToArray();
        go.SetResult();

        var outcomes = await Task.WhenAll(changes);

        Assert.Equal(9, outcomes.Count(o => o.Outcome == DavOutcome.Created));
        Assert.Equal(Quota, await nodes[1].GetUsageAsync(Romeo, Ct));
    }

    [Fact]
    public async Task Put_OfOnePathByTwoOwnersOnTwoNodesAtOnce_OneCreatesIt_AndTheOtherIsRefused()
    {
        var nodes = ThreeNodes();
        for (var round = 0; round < 20; round++)
        {
            var path = $"/contested-{round:D2}.txt";
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var romeo = Task.Run(async () => { await go.Task; return await PutAsync(nodes[0], path, Romeo, 10, 1000); }, Ct);
            var juliet = Task.Run(async () => { await go.Task; return await PutAsync(nodes[1], path, Juliet, 10, 1000); }, Ct);
            go.SetResult();

            var outcomes = new[] { await romeo, await juliet }.Select(c => c.Outcome).Order().ToArray();

            Assert.Equal([DavOutcome.Created, DavOutcome.NotOwner], outcomes);
            var winner = (await nodes[2].FindAsync(path, Ct))!.Owner;
            Assert.Equal(winner == Romeo ? DavOutcome.Created : DavOutcome.NotOwner, (await romeo).Outcome);
        }
    }

    [Fact]
    public async Task Delete_OfACollection_RacingCreationsBelowItOnOtherNodes_LeavesNoResourceWithoutItsParent()
    {
        var nodes = ThreeNodes();
        for (var round = 0; round < 10; round++)
        {
            var top = $"/album-{round:D2}";
            Assert.Equal(DavOutcome.Created, (await nodes[0].CreateCollectionAsync(top, Romeo, Now, Ct)).Outcome);
            Assert.Equal(DavOutcome.Created, (await nodes[0].CreateCollectionAsync(top + "/photos", Romeo, Now, Ct)).Outcome);
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var creations = Enumerable.Range(0, 12)
                .Select(i => Task.Run(
                    async () =>
                    {
                        await go.Task;
                        var node = nodes[1 + (i % 2)];
                        return i % 3 == 0
                            ? await node.CreateCollectionAsync($"{top}/photos/day-{i:D2}", Romeo, Now, Ct)
                            : await PutAsync(node, $"{top}/photos/img-{i:D2}.jpg", Romeo, 10, 1_000_000);
                    },
                    Ct))
                .ToList();
            var delete = Task.Run(async () => { await go.Task; return await nodes[0].DeleteAsync(top, Ct); }, Ct);
            go.SetResult();

            var outcomes = await Task.WhenAll(creations);
            Assert.Equal(DavOutcome.Deleted, (await delete).Outcome);

            // Each creation either committed before the delete (and went with it) or found its parent gone.
            Assert.All(outcomes, o => Assert.Contains(o.Outcome, new[] { DavOutcome.Created, DavOutcome.ParentMissing }));
            Assert.Equal(0L, Fixture.Scalar($"SELECT count(*) FROM dav_resources WHERE path LIKE '{top}%'"));
        }

        Assert.Equal(0L, Fixture.Scalar(
            "SELECT count(*) FROM dav_resources AS r WHERE r.parent <> '/' AND NOT EXISTS (SELECT 1 FROM dav_resources AS p WHERE p.path = r.parent)"));
    }

    [Fact]
    public async Task Copy_RacingTheDeleteOfItsSourceOnAnotherNode_NeverHasItsBlobReportedOrphaned()
    {
        // The caller deletes the blobs a change reports orphaned: reporting one that a committed copy names would lose
        // that copy's bytes.
        var nodes = ThreeNodes();
        for (var round = 0; round < 20; round++)
        {
            var source = $"/source-{round:D2}.txt";
            var put = await PutAsync(nodes[0], source, Romeo, 10, 1_000_000);
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var copy = Task.Run(async () => { await go.Task; return await nodes[1].CopyAsync(Transfer(source, $"/copy-{round:D2}.txt", Juliet, 1_000_000), Ct); }, Ct);
            var delete = Task.Run(async () => { await go.Task; return await nodes[2].DeleteAsync(source, Ct); }, Ct);
            go.SetResult();

            var (copied, deleted) = (await copy, await delete);

            Assert.Equal(DavOutcome.Deleted, deleted.Outcome);
            if (copied.Outcome == DavOutcome.Created)
            {
                Assert.Empty(deleted.OrphanedBlobs);
                Assert.Equal(put.Resource!.BlobKey, (await nodes[0].FindAsync($"/copy-{round:D2}.txt", Ct))!.BlobKey);
            }
            else
            {
                Assert.Equal(DavOutcome.NotFound, copied.Outcome);
                Assert.Equal([put.Resource!.BlobKey!], deleted.OrphanedBlobs);
            }
        }
    }

    [Fact]
    public async Task DeleteOwned_RacingPutsOfTheSameOwnerOnOtherNodes_LeavesNothingOfTheOwner_AndNothingWithoutItsParent()
    {
        var nodes = ThreeNodes();
        for (var round = 0; round < 10; round++)
        {
            var owner = $"romeo{round}@montague.tld";
            var home = $"/romeo-{round:D2}";
            await nodes[0].CreateCollectionAsync(home, owner, Now, Ct);
            await nodes[0].CreateCollectionAsync(home + "/inbox", owner, Now, Ct);
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var puts = Enumerable.Range(0, 12)
                .Select(i => Task.Run(async () => { await go.Task; return await PutAsync(nodes[1 + (i % 2)], $"{home}/inbox/{i:D2}.txt", owner, 10, 1_000_000); }, Ct))
                .ToList();
            var purge = Task.Run(async () => { await go.Task; return await nodes[0].DeleteOwnedAsync(owner, Ct); }, Ct);
            go.SetResult();

            var outcomes = await Task.WhenAll(puts);
            await purge;

            // A PUT after the purge found the collection gone; one before it went with it.
            Assert.All(outcomes, o => Assert.Contains(o.Outcome, new[] { DavOutcome.Created, DavOutcome.ParentMissing }));
            Assert.Equal(0, await nodes[0].GetUsageAsync(owner, Ct));
            Assert.Null(await nodes[0].FindAsync(home, Ct));
        }

        Assert.Equal(0L, Fixture.Scalar(
            "SELECT count(*) FROM dav_resources AS r WHERE r.parent <> '/' AND NOT EXISTS (SELECT 1 FROM dav_resources AS p WHERE p.path = r.parent)"));
    }

    private PostgresDavStore[] ThreeNodes() =>
        [.. new[] { "node-a", "node-b", "node-c" }.Select(node => new PostgresDavStore(Fixture.Open(node), NullLogger<PostgresDavStore>.Instance))];

    private Task<DavChange> PutAsync(IDavStore store, string path, string owner, long size, long quota)
    {
        var blob = $"davblob{Interlocked.Increment(ref _blobs):D4}";
        return store.PutFileAsync(
            new DavPutRequest
            {
                Path = path,
                Owner = owner,
                Size = size,
                BlobKey = blob,
                ETag = blob,
                Now = Now,
                Quota = quota,
                MaxFileSize = 1_000_000,
            },
            Ct);
    }

    private DavTransferRequest Transfer(string source, string destination, string requester, long quota) => new()
    {
        Source = source,
        Destination = destination,
        Requester = requester,
        Overwrite = false,
        Now = Now,
        Quota = quota,
    };
}
