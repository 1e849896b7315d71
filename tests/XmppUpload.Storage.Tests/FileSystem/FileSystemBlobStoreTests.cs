using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Storage.FileSystem;

namespace XmppUpload.Storage.Tests.FileSystem;

/// <summary>
/// The <see cref="IBlobStore"/> contract on the file system, and what only it does: one staged file per writer in
/// <c>staging/</c>, renamed into a fan-out directory of <c>blobs/</c> on commit; start-up removes what a crash left.
/// </summary>
public sealed class FileSystemBlobStoreTests : BlobStoreContractTests<FileSystemBlobStore>
{
    private readonly TempDirectory _directory = new();

    // The file system writes through at once; the upload endpoint's buffer is the size its pieces come in.
    protected override int StagingUnitSize => 128 * 1024;

    protected override bool RemoveStagedTakesAFreshlyAbandonedWrite => true;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Write_OfALargeBlob_QueuesItsWriteOutAWindowAtATime_AndTheCommittedBytesAreWhole()
    {
        var key = SlotIds.New();
        var bytes = new byte[(int)(2.5 * WriteBehind.Window)];
        Random.Shared.NextBytes(bytes);
        await using (var writer = await Store.BeginWriteAsync(key, Ct))
        {
            for (var offset = 0; offset < bytes.Length; offset += StagingUnitSize)
            {
                await writer.WriteAsync(bytes.AsMemory(offset, Math.Min(StagingUnitSize, bytes.Length - offset)), Ct);
            }

            // Two whole windows written out while the rest still arrives (sync_file_range is Linux's; elsewhere none).
            Assert.Equal(OperatingSystem.IsLinux() ? 2 : 0, ((FileSystemBlobWriter)writer).WriteBehind.Queued);
            await writer.CommitAsync(Ct);
        }

        Assert.Equal(bytes, await File.ReadAllBytesAsync(Store.BlobPath(key), Ct));
    }

    [Fact]
    public async Task BeginWrite_StagesAFileOfItsOwnPerWriter_NamedByTheKeyAndARandomPart()
    {
        var key = SlotIds.New();
        await using var writer = await Store.BeginWriteAsync(key, Ct);
        await writer.WriteAsync(TenBytes, Ct);
        var staged = Assert.Single(Directory.GetFiles(Store.StagingPath));

        // A second PUT racing for the same key never shares the first one's file.
        await using var racing = await Store.BeginWriteAsync(key, Ct);
        await racing.WriteAsync("racing"u8.ToArray(), Ct);

        var files = Directory.GetFiles(Store.StagingPath);
        Assert.Equal(2, files.Length);
        Assert.All(files, file => Assert.Matches($"^{key}\\.[0-9a-f]{{16}}\\.part$", Path.GetFileName(file)));
        Assert.Equal(10, new FileInfo(staged).Length);
        Assert.Equal(6, new FileInfo(Assert.Single(files, file => file != staged)).Length);
    }

    [Fact]
    public async Task Commit_MovesTheStagedFileIntoTheFanOutDirectoryOfTheKey()
    {
        var key = SlotIds.New();
        await WriteBlobAsync(key, TenBytes);

        await WriteBlobAsync(key, "new"u8.ToArray());

        var blob = Assert.Single(Directory.GetFiles(Store.BlobsPath, "*", SearchOption.AllDirectories));
        Assert.Equal(Path.Combine(Store.BlobsPath, key[..2], key), blob);
        Assert.Equal("new"u8.ToArray(), await File.ReadAllBytesAsync(blob, Ct));
        Assert.Empty(Directory.GetFiles(Store.StagingPath));
    }

    [Fact]
    public async Task DisposeWithoutCommit_LeavesNoFileAnywhere()
    {
        await AbandonWriteAsync(SlotIds.New(), TenBytes);

        Assert.Empty(Directory.GetFiles(_directory.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task RemoveStaged_LeftoversOfACrash_AreRemovedAndCounted()
    {
        var committed = SlotIds.New();
        await WriteBlobAsync(committed, TenBytes);
        Directory.CreateDirectory(Path.Combine(Store.StagingPath, "stray"));
        await File.WriteAllBytesAsync(Path.Combine(Store.StagingPath, $"{SlotIds.New()}.0123456789abcdef.part"), TenBytes, Ct);
        await File.WriteAllBytesAsync(Path.Combine(Store.StagingPath, "unexpected.tmp"), TenBytes, Ct);
        await File.WriteAllBytesAsync(Path.Combine(Store.StagingPath, "stray", "nested.part"), TenBytes, Ct);

        var removed = await Store.RemoveStagedAsync(Ct);

        Assert.Equal(3, removed);
        Assert.Empty(Directory.GetFileSystemEntries(Store.StagingPath));
        Assert.Equal(TenBytes.ToArray(), await ReadAsync(committed, 0, 10));
    }

    [Theory]
    [MemberData(nameof(BlobKeyCases.Invalid), MemberType = typeof(BlobKeyCases))]
    public async Task InvalidKey_CreatesNoStagingDirectory(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.BeginWriteAsync(key, Ct));

        Assert.False(Directory.Exists(Store.StagingPath));
    }

    [Fact]
    public async Task List_LastModified_IsTheLastWriteTimeOfTheFile()
    {
        var keys = new[] { SlotIds.New(), SlotIds.New() };
        foreach (var key in keys)
        {
            await WriteBlobAsync(key, TenBytes);
        }

        // As a restore from a backup leaves it: a file older than this run.
        var past = new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(Store.BlobPath(keys[0]), past);

        var listed = await ListAsync();

        Assert.Equal(new DateTimeOffset(past), listed.Single(b => b.Key == keys[0]).LastModified);
        Assert.All(listed, b => Assert.Equal(File.GetLastWriteTimeUtc(Store.BlobPath(b.Key)), b.LastModified.UtcDateTime));
    }

    protected override ValueTask<FileSystemBlobStore> CreateStoreAsync() => ValueTask.FromResult(Open());

    // The file system has no pages: each fan-out directory is walked an entry at a time.
    protected override IBlobStore CreateAnotherNode(int listPageSize) => Open();

    protected override async Task PutEntriesThatAreNotBlobsAsync(string key)
    {
        var fanOut = Path.Combine(Store.BlobsPath, key[..2]);
        await File.WriteAllTextAsync(Path.Combine(fanOut, "README.txt"), "not a blob", Ct);
        await File.WriteAllTextAsync(Path.Combine(fanOut, "zz" + key[2..]), "under the wrong fan-out directory", Ct);
        Directory.CreateDirectory(Path.Combine(fanOut, "nested"));
        await File.WriteAllTextAsync(Path.Combine(Store.BlobsPath, "toplevel"), "outside any fan-out directory", Ct);
    }

    private FileSystemBlobStore Open() =>
        new(Options.Create(new StorageOptions { Path = _directory.Path }), NullLogger<FileSystemBlobStore>.Instance);
}
