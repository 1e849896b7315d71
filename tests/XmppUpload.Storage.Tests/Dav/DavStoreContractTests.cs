using XmppUpload.Core.Dav;
using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests.Dav;

/// <summary>
/// What every <see cref="IDavStore"/> does, whichever database holds the tree: run against the SQLite store
/// (<c>SqliteDavStoreTests</c>) and the PostgreSQL store (<c>PostgresDavStoreTests</c>). Paths follow RFC 4918's
/// collection rules; ownership and jidlists are XEP-0129 section 4's.
/// </summary>
public abstract class DavStoreContractTests : IAsyncLifetime
{
    protected const string Romeo = "romeo@montague.tld";
    protected const string Juliet = "juliet@capulet.tld";
    protected const string Nurse = "nurse@capulet.tld";

    private IDavStore? _store;
    private int _blobs;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Half a second past the minute: stored times keep whole seconds only.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 14, 15, 9, 26, 500, TimeSpan.Zero));

    protected DateTimeOffset Now => Time.GetUtcNow();

    protected DateTimeOffset NowInSeconds => new(Now.Year, Now.Month, Now.Day, Now.Hour, Now.Minute, Now.Second, TimeSpan.Zero);

    protected IDavStore Store => _store ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public async ValueTask InitializeAsync() => _store = await OpenStoreAsync();

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Find_RootIsTheSharedCollection_AndAMissingPathIsNull()
    {
        var root = await Store.FindAsync(DavPaths.Root, Ct);

        Assert.True(root!.IsRoot);
        Assert.True(root.IsCollection);
        Assert.Equal(string.Empty, root.Owner);
        Assert.Null(await Store.FindAsync("/nothing-here", Ct));
    }

    [Fact]
    public async Task CreateCollection_IsCreatedOnce_ThenAlreadyExists_AndNeedsACollectionAsParent()
    {
        var created = await Store.CreateCollectionAsync("/letters", Romeo, Now, Ct);
        await PutAsync("/letters/first.txt");

        Assert.Equal(DavOutcome.Created, created.Outcome);
        Assert.Empty(created.OrphanedBlobs);
        Assert.True(created.Resource!.IsCollection);
        Assert.Equal(Romeo, created.Resource.Owner);
        Assert.Equal(NowInSeconds, created.Resource.CreatedAt);
        Assert.Equal(DavOutcome.AlreadyExists, (await Store.CreateCollectionAsync("/letters", Juliet, Now, Ct)).Outcome);
        Assert.Equal(DavOutcome.AlreadyExists, (await Store.CreateCollectionAsync(DavPaths.Root, Romeo, Now, Ct)).Outcome);
        Assert.Equal(DavOutcome.ParentMissing, (await Store.CreateCollectionAsync("/drafts/old", Romeo, Now, Ct)).Outcome);
        Assert.Equal(DavOutcome.ParentMissing, (await Store.CreateCollectionAsync("/letters/first.txt/inside", Romeo, Now, Ct)).Outcome);
        Assert.Null(await Store.FindAsync("/drafts/old", Ct));
    }

    [Fact]
    public async Task Put_NewFile_IsCreated_AndEveryStoreOnTheDatabaseReadsItBack()
    {
        var put = await PutAsync("/balcony.txt", size: 42, contentType: "text/plain; charset=utf-8");

        var other = await OpenStoreAsync();
        var found = await other.FindAsync("/balcony.txt", Ct);

        Assert.Equal(DavOutcome.Created, put.Outcome);
        Assert.NotNull(found);
        Assert.False(found.IsCollection);
        Assert.Equal(Romeo, found.Owner);
        Assert.Equal(42, found.Size);
        Assert.Equal("text/plain; charset=utf-8", found.ContentType);
        Assert.Equal(put.Resource!.ETag, found.ETag);
        Assert.Equal(put.Resource.BlobKey, found.BlobKey);
        Assert.Equal(NowInSeconds, found.CreatedAt);
        Assert.Equal(NowInSeconds, found.ModifiedAt);
        Assert.Null(found.JidList);
    }

    [Fact]
    public async Task Put_Replacing_IsReplaced_KeepsCreationAndJidList_AndOrphansTheOldBlob()
    {
        var first = await PutAsync("/balcony.txt", size: 10);
        await SetJidListAsync("/balcony.txt", Juliet);
        Time.Advance(TimeSpan.FromMinutes(3));

        var second = await PutAsync("/balcony.txt", size: 20);

        Assert.Equal(DavOutcome.Replaced, second.Outcome);
        Assert.Equal([first.Resource!.BlobKey!], second.OrphanedBlobs);
        var found = await Store.FindAsync("/balcony.txt", Ct);
        Assert.Equal(20, found!.Size);
        Assert.Equal(second.Resource!.BlobKey, found.BlobKey);
        Assert.Equal(first.Resource.CreatedAt, found.CreatedAt);
        Assert.Equal(NowInSeconds, found.ModifiedAt);
        Assert.Equal([Juliet], found.JidList!);
    }

    [Fact]
    public async Task Put_Preconditions_IfNoneMatchStarAndIfMatch_AreHeldAgainstTheStoredVersion()
    {
        var stored = await PutAsync("/balcony.txt");
        var tag = stored.Resource!.ETag;

        Assert.Equal(DavOutcome.PreconditionFailed, (await PutAsync("/balcony.txt", mustNotExist: true)).Outcome);
        Assert.Equal(DavOutcome.PreconditionFailed, (await PutAsync("/missing.txt", matchETags: ["*"])).Outcome);
        Assert.Equal(DavOutcome.PreconditionFailed, (await PutAsync("/balcony.txt", matchETags: ["not-" + tag])).Outcome);
        Assert.Equal(tag, (await Store.FindAsync("/balcony.txt", Ct))!.ETag);
        Assert.Null(await Store.FindAsync("/missing.txt", Ct));

        Assert.Equal(DavOutcome.Replaced, (await PutAsync("/balcony.txt", matchETags: ["other", tag])).Outcome);
        Assert.Equal(DavOutcome.Replaced, (await PutAsync("/balcony.txt", matchETags: ["*"])).Outcome);
    }

    [Fact]
    public async Task Put_OnACollectionOrTheRoot_InAMissingParent_OverAnotherOwnersFile_OrTooLarge_IsRefusedAndStoresNothing()
    {
        await Store.CreateCollectionAsync("/letters", Romeo, Now, Ct);
        await PutAsync("/balcony.txt", owner: Romeo);

        Assert.Equal(DavOutcome.IsCollection, (await PutAsync("/letters")).Outcome);
        Assert.Equal(DavOutcome.IsCollection, (await PutAsync(DavPaths.Root)).Outcome);
        Assert.Equal(DavOutcome.ParentMissing, (await PutAsync("/drafts/new.txt")).Outcome);
        Assert.Equal(DavOutcome.ParentMissing, (await PutAsync("/balcony.txt/inside")).Outcome);
        Assert.Equal(DavOutcome.NotOwner, (await PutAsync("/balcony.txt", owner: Juliet)).Outcome);
        Assert.Equal(DavOutcome.TooLarge, (await PutAsync("/big.bin", size: 101, maxFileSize: 100)).Outcome);

        Assert.Null(await Store.FindAsync("/big.bin", Ct));
        Assert.Equal(Romeo, (await Store.FindAsync("/balcony.txt", Ct))!.Owner);
        Assert.Equal(0, await Store.GetUsageAsync(Juliet, Ct));
    }

    [Fact]
    public async Task Put_BeyondTheOwnersQuota_IsRefused_AReplacedVersionNoLongerCounts_AndOtherOwnersAreApart()
    {
        Assert.Equal(DavOutcome.Created, (await PutAsync("/a.bin", size: 100, quota: 150)).Outcome);
        Assert.Equal(DavOutcome.OverQuota, (await PutAsync("/b.bin", size: 51, quota: 150)).Outcome);
        Assert.Equal(DavOutcome.Created, (await PutAsync("/b.bin", size: 50, quota: 150)).Outcome);
        Assert.Equal(DavOutcome.Replaced, (await PutAsync("/a.bin", size: 100, quota: 150)).Outcome);
        Assert.Equal(DavOutcome.Created, (await PutAsync("/juliet.bin", owner: Juliet, size: 150, quota: 150)).Outcome);

        Assert.Null(await Store.FindAsync("/c.bin", Ct));
        Assert.Equal(150, await Store.GetUsageAsync(Romeo, Ct));
        Assert.Equal(150, await Store.GetUsageAsync(Juliet, Ct));
        Assert.Equal(0, await Store.GetUsageAsync(Nurse, Ct));
    }

    [Fact]
    public async Task ListChildren_ListsDirectMembersInPathOrder_WithTheirJidLists()
    {
        await Store.CreateCollectionAsync("/letters", Romeo, Now, Ct);
        await PutAsync("/letters/b.txt");
        await PutAsync("/letters/a.txt");
        await Store.CreateCollectionAsync("/letters/old", Romeo, Now, Ct);
        await PutAsync("/letters/old/deep.txt");
        await PutAsync("/letters-other.txt");
        await SetJidListAsync("/letters/a.txt", Nurse, Juliet);

        var children = await Store.ListChildrenAsync("/letters", Ct);
        var top = await Store.ListChildrenAsync(DavPaths.Root, Ct);

        Assert.Equal(["/letters/a.txt", "/letters/b.txt", "/letters/old"], children.Select(c => c.Path));
        Assert.Equal([Juliet, Nurse], children[0].JidList!);
        Assert.Null(children[1].JidList);
        Assert.True(children[2].IsCollection);
        Assert.Equal(["/letters", "/letters-other.txt"], top.Select(c => c.Path));
    }

    [Fact]
    public async Task PatchProperties_AppliesEveryUpdateInOrder_AndOnAMissingResourceChangesNothing()
    {
        await PutAsync("/balcony.txt");

        var patched = await Store.PatchPropertiesAsync("/balcony.txt",
        [
            Dead("urn:x", "colour", "<colour xmlns=\"urn:x\">red</colour>"),
            Dead("urn:x", "colour", "<colour xmlns=\"urn:x\">blue</colour>"),
            Dead("urn:a", "mood", "<mood xmlns=\"urn:a\">wistful</mood>"),
            Dead("urn:x", "size", "<size xmlns=\"urn:x\">L</size>"),
            new DavPropertyUpdate { Kind = DavPropertyUpdateKind.RemoveDead, Namespace = "urn:x", Name = "size" },
            new DavPropertyUpdate { Kind = DavPropertyUpdateKind.SetJidList, Jids = [Nurse, Juliet, Nurse] },
        ], Ct);

        Assert.True(patched);
        var properties = await Store.GetDeadPropertiesAsync("/balcony.txt", Ct);
        Assert.Equal(
            [new DavDeadProperty("urn:a", "mood", "<mood xmlns=\"urn:a\">wistful</mood>"), new DavDeadProperty("urn:x", "colour", "<colour xmlns=\"urn:x\">blue</colour>")],
            properties);
        Assert.Equal([Juliet, Nurse], (await Store.FindAsync("/balcony.txt", Ct))!.JidList!);

        // An empty list is a list (nobody else may read); removing it is "no list yet".
        Assert.True(await Store.PatchPropertiesAsync("/balcony.txt", [new DavPropertyUpdate { Kind = DavPropertyUpdateKind.SetJidList, Jids = [] }], Ct));
        Assert.Empty((await Store.FindAsync("/balcony.txt", Ct))!.JidList!);
        Assert.True(await Store.PatchPropertiesAsync("/balcony.txt", [new DavPropertyUpdate { Kind = DavPropertyUpdateKind.RemoveJidList }], Ct));
        Assert.Null((await Store.FindAsync("/balcony.txt", Ct))!.JidList);

        Assert.False(await Store.PatchPropertiesAsync("/missing.txt", [Dead("urn:x", "colour", "<colour xmlns=\"urn:x\"/>")], Ct));
        Assert.Empty(await Store.GetDeadPropertiesAsync("/missing.txt", Ct));
    }

    [Fact]
    public async Task Delete_OfACollection_RemovesItsWholeSubtree_ButNoPathThatMerelyStartsAlike()
    {
        await Store.CreateCollectionAsync("/a", Romeo, Now, Ct);
        await Store.CreateCollectionAsync("/a/b", Romeo, Now, Ct);
        var deep = await PutAsync("/a/b/c.txt");
        await SetJidListAsync("/a/b/c.txt", Juliet);
        await Store.PatchPropertiesAsync("/a/b/c.txt", [Dead("urn:x", "colour", "<colour xmlns=\"urn:x\"/>")], Ct);
        var lookalikes = new[] { "/a-b.txt", "/a.txt", "/ab.txt", "/a0.txt" };
        foreach (var path in lookalikes)
        {
            await PutAsync(path);
        }

        var deleted = await Store.DeleteAsync("/a", Ct);

        Assert.Equal(DavOutcome.Deleted, deleted.Outcome);
        Assert.Equal([deep.Resource!.BlobKey!], deleted.OrphanedBlobs);
        Assert.Null(await Store.FindAsync("/a", Ct));
        Assert.Null(await Store.FindAsync("/a/b/c.txt", Ct));
        Assert.Empty(await Store.GetDeadPropertiesAsync("/a/b/c.txt", Ct));
        foreach (var path in lookalikes)
        {
            Assert.NotNull(await Store.FindAsync(path, Ct));
        }

        Assert.Equal(DavOutcome.NotFound, (await Store.DeleteAsync("/a", Ct)).Outcome);

        // Nothing of the old subtree comes back with a new collection of the same name.
        await Store.CreateCollectionAsync("/a", Romeo, Now, Ct);
        Assert.Empty(await Store.ListChildrenAsync("/a", Ct));
    }

    [Fact]
    public async Task Delete_ReportsOnlyTheBlobsNoOtherResourceStillNames()
    {
        var original = await PutAsync("/original.txt");
        await Store.CopyAsync(Transfer("/original.txt", "/copy.txt", Juliet), Ct);

        var first = await Store.DeleteAsync("/original.txt", Ct);
        var second = await Store.DeleteAsync("/copy.txt", Ct);

        Assert.Empty(first.OrphanedBlobs);
        Assert.Equal([original.Resource!.BlobKey!], second.OrphanedBlobs);
    }

    [Fact]
    public async Task Copy_OfAFile_SharesItsBlob_IsOwnedByTheCopier_AndTakesTheJidListOnlyFromTheCopiersOwnFiles()
    {
        var romeos = await PutAsync("/romeo.txt", owner: Romeo);
        await SetJidListAsync("/romeo.txt", Juliet);
        await Store.PatchPropertiesAsync("/romeo.txt", [Dead("urn:x", "colour", "<colour xmlns=\"urn:x\">red</colour>")], Ct);
        await PutAsync("/juliet.txt", owner: Juliet);
        await SetJidListAsync("/juliet.txt", Nurse);
        Time.Advance(TimeSpan.FromHours(1));

        var byJuliet = await Store.CopyAsync(Transfer("/romeo.txt", "/romeo-copy.txt", Juliet), Ct);
        var ofHerOwn = await Store.CopyAsync(Transfer("/juliet.txt", "/juliet-copy.txt", Juliet), Ct);

        Assert.Equal(DavOutcome.Created, byJuliet.Outcome);
        Assert.Equal(DavOutcome.Created, ofHerOwn.Outcome);
        var copy = await Store.FindAsync("/romeo-copy.txt", Ct);
        Assert.Equal(Juliet, copy!.Owner);
        Assert.Equal(romeos.Resource!.BlobKey, copy.BlobKey);
        Assert.Equal(romeos.Resource.ETag, copy.ETag);
        Assert.Equal(NowInSeconds, copy.CreatedAt);
        Assert.Null(copy.JidList);
        Assert.Equal([new DavDeadProperty("urn:x", "colour", "<colour xmlns=\"urn:x\">red</colour>")], await Store.GetDeadPropertiesAsync("/romeo-copy.txt", Ct));
        Assert.Equal([Nurse], (await Store.FindAsync("/juliet-copy.txt", Ct))!.JidList!);
        Assert.Equal(3 * romeos.Resource.Size, await Store.GetUsageAsync(Juliet, Ct));
        Assert.Equal([Juliet], (await Store.FindAsync("/romeo.txt", Ct))!.JidList!);
    }

    [Fact]
    public async Task Copy_OfACollection_IsRecursiveUnlessDepthZero()
    {
        await Store.CreateCollectionAsync("/letters", Romeo, Now, Ct);
        await Store.CreateCollectionAsync("/letters/old", Romeo, Now, Ct);
        await PutAsync("/letters/old/deep.txt");

        var shallow = await Store.CopyAsync(Transfer("/letters", "/shallow") with { Recursive = false }, Ct);
        var deep = await Store.CopyAsync(Transfer("/letters", "/deep"), Ct);

        Assert.Equal(DavOutcome.Created, shallow.Outcome);
        Assert.Equal(DavOutcome.Created, deep.Outcome);
        Assert.True((await Store.FindAsync("/shallow", Ct))!.IsCollection);
        Assert.Empty(await Store.ListChildrenAsync("/shallow", Ct));
        Assert.Equal(["/deep/old"], (await Store.ListChildrenAsync("/deep", Ct)).Select(r => r.Path));
        Assert.Equal(["/deep/old/deep.txt"], (await Store.ListChildrenAsync("/deep/old", Ct)).Select(r => r.Path));
        Assert.NotEqual((await Store.FindAsync("/letters", Ct))!.ETag, (await Store.FindAsync("/deep", Ct))!.ETag);
    }

    [Fact]
    public async Task CopyAndMove_WithoutSource_ParentOrOverwrite_OrOverAnotherOwnersResource_AreRefusedAndChangeNothing()
    {
        await PutAsync("/romeo.txt", owner: Romeo);
        await PutAsync("/juliet.txt", owner: Juliet);

        foreach (var move in new[] { false, true })
        {
            Task<DavChange> Run(DavTransferRequest request) => move ? Store.MoveAsync(request, Ct) : Store.CopyAsync(request, Ct);

            Assert.Equal(DavOutcome.NotFound, (await Run(Transfer("/missing.txt", "/x.txt"))).Outcome);
            Assert.Equal(DavOutcome.ParentMissing, (await Run(Transfer("/romeo.txt", "/drafts/x.txt"))).Outcome);
            Assert.Equal(DavOutcome.PreconditionFailed, (await Run(Transfer("/romeo.txt", "/juliet.txt", overwrite: false))).Outcome);
            Assert.Equal(DavOutcome.NotOwner, (await Run(Transfer("/romeo.txt", "/juliet.txt"))).Outcome);
        }

        Assert.Equal(Juliet, (await Store.FindAsync("/juliet.txt", Ct))!.Owner);
        Assert.Equal(Romeo, (await Store.FindAsync("/romeo.txt", Ct))!.Owner);
        Assert.Null(await Store.FindAsync("/x.txt", Ct));
    }

    [Fact]
    public async Task Copy_Overwriting_ReplacesTheDestinationSubtree_AndOrphansOnlyItsUnsharedBlobs()
    {
        var source = await PutAsync("/source.txt");
        await Store.CreateCollectionAsync("/target", Romeo, Now, Ct);
        var inside = await PutAsync("/target/inside.txt");

        var copy = await Store.CopyAsync(Transfer("/source.txt", "/target"), Ct);

        Assert.Equal(DavOutcome.Replaced, copy.Outcome);
        Assert.Equal([inside.Resource!.BlobKey!], copy.OrphanedBlobs);
        var target = await Store.FindAsync("/target", Ct);
        Assert.False(target!.IsCollection);
        Assert.Equal(source.Resource!.BlobKey, target.BlobKey);
        Assert.Null(await Store.FindAsync("/target/inside.txt", Ct));

        // Overwriting a file with a copy of itself keeps the blob: the new row names it.
        var again = await Store.CopyAsync(Transfer("/source.txt", "/target"), Ct);
        Assert.Equal(DavOutcome.Replaced, again.Outcome);
        Assert.Empty(again.OrphanedBlobs);
    }

    [Fact]
    public async Task Copy_BeyondTheCopiersQuota_IsRefused_AndTheDestinationItWouldOverwriteStays()
    {
        await PutAsync("/big.bin", size: 100, quota: 150);
        var kept = await PutAsync("/kept.txt", size: 10, quota: 150);

        var copy = await Store.CopyAsync(Transfer("/big.bin", "/kept.txt", quota: 150), Ct);

        Assert.Equal(DavOutcome.OverQuota, copy.Outcome);
        Assert.Empty(copy.OrphanedBlobs);
        var stayed = await Store.FindAsync("/kept.txt", Ct);
        Assert.Equal(kept.Resource!.BlobKey, stayed!.BlobKey);
        Assert.Equal(110, await Store.GetUsageAsync(Romeo, Ct));
    }

    [Fact]
    public async Task Move_OfACollection_TakesItsMembersPropertiesAndJidListsAlong()
    {
        await Store.CreateCollectionAsync("/letters", Romeo, Now, Ct);
        await Store.CreateCollectionAsync("/letters/old", Romeo, Now, Ct);
        var deep = await PutAsync("/letters/old/deep.txt");
        await SetJidListAsync("/letters/old/deep.txt", Juliet);
        await Store.PatchPropertiesAsync("/letters/old", [Dead("urn:x", "colour", "<colour xmlns=\"urn:x\"/>")], Ct);
        await Store.CreateCollectionAsync("/archive", Romeo, Now, Ct);

        var moved = await Store.MoveAsync(Transfer("/letters", "/archive/2026"), Ct);

        Assert.Equal(DavOutcome.Created, moved.Outcome);
        Assert.Empty(moved.OrphanedBlobs);
        Assert.Null(await Store.FindAsync("/letters", Ct));
        Assert.Null(await Store.FindAsync("/letters/old/deep.txt", Ct));
        Assert.Equal(["/archive/2026"], (await Store.ListChildrenAsync("/archive", Ct)).Select(r => r.Path));
        Assert.Equal(["/archive/2026/old"], (await Store.ListChildrenAsync("/archive/2026", Ct)).Select(r => r.Path));
        var file = Assert.Single(await Store.ListChildrenAsync("/archive/2026/old", Ct));
        Assert.Equal("/archive/2026/old/deep.txt", file.Path);
        Assert.Equal(deep.Resource!.BlobKey, file.BlobKey);
        Assert.Equal([Juliet], file.JidList!);
        Assert.Single(await Store.GetDeadPropertiesAsync("/archive/2026/old", Ct));
        Assert.Empty(await Store.GetDeadPropertiesAsync("/letters/old", Ct));
    }

    [Fact]
    public async Task Move_OfAnotherOwnersResource_IsNotOwner_AndTheDestinationItWouldOverwriteStays()
    {
        await PutAsync("/juliets.txt", owner: Juliet);
        var romeos = await PutAsync("/romeos.txt", owner: Romeo);

        var move = await Store.MoveAsync(Transfer("/juliets.txt", "/romeos.txt", Romeo), Ct);

        Assert.Equal(DavOutcome.NotOwner, move.Outcome);
        Assert.Equal(romeos.Resource!.BlobKey, (await Store.FindAsync("/romeos.txt", Ct))!.BlobKey);
        Assert.Equal(Juliet, (await Store.FindAsync("/juliets.txt", Ct))!.Owner);
    }

    [Fact]
    public async Task Move_Overwriting_OrphansTheReplacedBlobs()
    {
        var source = await PutAsync("/new.txt");
        var old = await PutAsync("/old.txt");

        var move = await Store.MoveAsync(Transfer("/new.txt", "/old.txt"), Ct);

        Assert.Equal(DavOutcome.Replaced, move.Outcome);
        Assert.Equal([old.Resource!.BlobKey!], move.OrphanedBlobs);
        Assert.Equal(source.Resource!.BlobKey, (await Store.FindAsync("/old.txt", Ct))!.BlobKey);
        Assert.Null(await Store.FindAsync("/new.txt", Ct));
    }

    [Fact]
    public async Task Move_OfACollectionWithCharactersBeyondTheBasicPlane_RebasesEveryMember()
    {
        // Each of these is two UTF-16 units but one character to the database: the rebase must count alike.
        await Store.CreateCollectionAsync("/🌹🌹", Romeo, Now, Ct);
        await PutAsync("/🌹🌹/sonnet-🌙.txt");

        var moved = await Store.MoveAsync(Transfer("/🌹🌹", "/roses"), Ct);

        Assert.Equal(DavOutcome.Created, moved.Outcome);
        Assert.Equal(["/roses/sonnet-🌙.txt"], (await Store.ListChildrenAsync("/roses", Ct)).Select(r => r.Path));
        Assert.NotNull(await Store.FindAsync("/roses/sonnet-🌙.txt", Ct));
    }

    [Fact]
    public async Task DeleteOwned_RemovesTheOwnersFilesAndTheCollectionsLeftEmpty_KeepsEverythingOfOthers()
    {
        await Store.CreateCollectionAsync("/romeo", Romeo, Now, Ct);
        await Store.CreateCollectionAsync("/romeo/empty", Romeo, Now, Ct);
        var mine = await PutAsync("/romeo/mine.txt", owner: Romeo);
        var shared = await PutAsync("/romeo/shared.txt", owner: Romeo);
        await Store.CreateCollectionAsync("/romeo/kept", Romeo, Now, Ct);
        var placeholder = await PutAsync("/romeo/kept/placeholder.txt", owner: Romeo);
        Assert.Equal(DavOutcome.Created, (await Store.CopyAsync(Transfer("/romeo/shared.txt", "/julietscopy.txt", Juliet), Ct)).Outcome);
        Assert.Equal(DavOutcome.Created, (await Store.CopyAsync(Transfer("/romeo/mine.txt", "/romeo/kept/juliets.txt", Juliet), Ct)).Outcome);
        var juliets = await PutAsync("/juliet.txt", owner: Juliet);

        var orphaned = await Store.DeleteOwnedAsync(Romeo, Ct);

        // Romeo's blobs that Juliet's copies still name stay; the one nobody names any more goes.
        Assert.Equal([placeholder.Resource!.BlobKey!], orphaned);
        Assert.NotEqual(shared.Resource!.BlobKey, mine.Resource!.BlobKey);
        Assert.Equal(0, await Store.GetUsageAsync(Romeo, Ct));
        Assert.Null(await Store.FindAsync("/romeo/empty", Ct));
        Assert.Null(await Store.FindAsync("/romeo/mine.txt", Ct));

        // A collection that still holds another account's file stays, and so do its ancestors.
        Assert.NotNull(await Store.FindAsync("/romeo/kept", Ct));
        Assert.NotNull(await Store.FindAsync("/romeo", Ct));
        Assert.Equal(["/romeo/kept/juliets.txt"], (await Store.ListChildrenAsync("/romeo/kept", Ct)).Select(r => r.Path));
        Assert.NotNull(await Store.FindAsync("/julietscopy.txt", Ct));
        Assert.Equal(juliets.Resource!.BlobKey, (await Store.FindAsync("/juliet.txt", Ct))!.BlobKey);
        Assert.Empty(await Store.DeleteOwnedAsync(Romeo, Ct));
    }

    [Fact]
    public async Task FindKnown_CountsTheBlobsOfWebDavFiles_SoTheSweeperNeverTakesThemForOrphans()
    {
        var put = await PutAsync("/report.pdf");

        var known = await FindKnownAsync([put.Resource!.BlobKey!, "davblob-nobody-names"]);

        Assert.Equal([put.Resource.BlobKey!], known);
    }

    /// <summary>Another store on the test's database, as another node (or process) opens it.</summary>
    protected abstract ValueTask<IDavStore> OpenStoreAsync();

    /// <summary>The ledger's answer to the sweeper's orphan question (<c>ISweepLedger.FindKnownAsync</c>).</summary>
    protected abstract Task<IReadOnlySet<string>> FindKnownAsync(IReadOnlyCollection<string> keys);

    protected Task<DavChange> PutAsync(
        string path,
        string owner = Romeo,
        long size = 10,
        bool mustNotExist = false,
        IReadOnlyList<string>? matchETags = null,
        long quota = 1000,
        long maxFileSize = 1000,
        string? contentType = "text/plain") =>
        PutAsync(Store, path, owner, size, mustNotExist, matchETags, quota, maxFileSize, contentType);

    protected Task<DavChange> PutAsync(
        IDavStore store,
        string path,
        string owner = Romeo,
        long size = 10,
        bool mustNotExist = false,
        IReadOnlyList<string>? matchETags = null,
        long quota = 1000,
        long maxFileSize = 1000,
        string? contentType = "text/plain")
    {
        var blob = $"davblob{Interlocked.Increment(ref _blobs):D4}";
        return store.PutFileAsync(
            new DavPutRequest
            {
                Path = path,
                Owner = owner,
                Size = size,
                ContentType = contentType,
                BlobKey = blob,
                ETag = "etag-" + blob,
                Now = Now,
                MustNotExist = mustNotExist,
                MatchETags = matchETags,
                Quota = quota,
                MaxFileSize = maxFileSize,
            },
            Ct);
    }

    protected DavTransferRequest Transfer(string source, string destination, string requester = Romeo, bool overwrite = true, long quota = 1000) => new()
    {
        Source = source,
        Destination = destination,
        Requester = requester,
        Overwrite = overwrite,
        Now = Now,
        Quota = quota,
    };

    private async Task SetJidListAsync(string path, params string[] jids) =>
        Assert.True(await Store.PatchPropertiesAsync(path, [new DavPropertyUpdate { Kind = DavPropertyUpdateKind.SetJidList, Jids = jids }], Ct));

    private static DavPropertyUpdate Dead(string ns, string name, string xml) =>
        new() { Kind = DavPropertyUpdateKind.SetDead, Namespace = ns, Name = name, Xml = xml };
}
