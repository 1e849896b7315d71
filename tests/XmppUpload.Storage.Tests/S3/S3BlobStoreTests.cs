using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Storage.S3;

namespace XmppUpload.Storage.Tests.S3;

/// <summary>
/// The <see cref="IBlobStore"/> contract against a real s3rver, and what only the S3 store does: objects under a key
/// prefix, one PutObject below a part, multipart uploads above it, and what becomes of uploads left behind.
/// </summary>
public sealed class S3BlobStoreTests(S3rverFixture s3rver) : BlobStoreContractTests<S3BlobStore>, IClassFixture<S3rverFixture>
{
    private const int PartSize = S3BlobStoreOptions.MinPartSize;

    private readonly string _prefix = $"test-{RandomNumberGenerator.GetHexString(12, lowercase: true)}/";
    private readonly LogCapture<S3BlobStore> _log = new();

    protected override int StagingUnitSize => PartSize;

    // Uploads are shared by every node of a cluster: only those older than any upload can last are taken for leftovers.
    protected override bool RemoveStagedTakesAFreshlyAbandonedWrite => false;

    [Fact]
    public async Task Commit_StoresTheObjectUnderThePrefixedKey()
    {
        var key = SlotIds.New();

        await WriteBlobAsync(key, TenBytes);

        Assert.Equal(TenBytes.ToArray(), await GetObjectDirectlyAsync(_prefix + key));
    }

    [Fact]
    public async Task DisposeWithoutCommit_SmallBlob_LeavesNoUploadPending()
    {
        var key = SlotIds.New();

        await using (var writer = await Store.BeginWriteAsync(key, Ct))
        {
            await writer.WriteAsync(TenBytes, Ct);
            Assert.Null(((S3BlobWriter)writer).UploadId);
        }

        Assert.DoesNotContain(_prefix + key, s3rver.Server.PendingMultipartUploads());
    }

    [Fact]
    public async Task DisposeWithoutCommit_AfterPartsWereSent_LeavesNothingVisibleAndTriesToAbort()
    {
        var key = SlotIds.New();

        await using (var writer = await Store.BeginWriteAsync(key, Ct))
        {
            await writer.WriteAsync(RandomBytes(PartSize + 1), Ct);
            Assert.NotNull(((S3BlobWriter)writer).UploadId);
            Assert.Contains(_prefix + key, s3rver.Server.PendingMultipartUploads());
        }

        Assert.False(await Store.ExistsAsync(key, Ct));
        // s3rver 3.7.1 answers AbortMultipartUpload with 405: the writer reports it and leaves the clean-up to
        // RemoveStaged or a lifecycle rule. (S3BlobStoreProtocolTests shows the abort itself.)
        var entry = Assert.Single(_log.Entries, e => e.EventId.Id == 3050);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, Assert.IsType<AmazonS3Exception>(entry.Exception).StatusCode);
    }

    [Fact]
    public async Task Write_MoreThanOnePart_IsOneMultipartUploadPendingUntilCommit()
    {
        var key = SlotIds.New();

        await using (var writer = await Store.BeginWriteAsync(key, Ct))
        {
            await writer.WriteAsync(RandomBytes(PartSize + 10), Ct);

            Assert.NotNull(((S3BlobWriter)writer).UploadId);
            Assert.Equal([_prefix + key], s3rver.Server.PendingMultipartUploads().Where(k => k.StartsWith(_prefix, StringComparison.Ordinal)));

            await writer.CommitAsync(Ct);
        }

        Assert.DoesNotContain(_prefix + key, s3rver.Server.PendingMultipartUploads());
        Assert.True(await Store.ExistsAsync(key, Ct));
    }

    [Fact]
    public async Task Write_ExactlyOnePart_IsOnePutObjectWithoutAMultipartUpload()
    {
        var key = SlotIds.New();
        var content = RandomBytes(PartSize);

        await using (var writer = await Store.BeginWriteAsync(key, Ct))
        {
            await writer.WriteAsync(content, Ct);
            await writer.CommitAsync(Ct);
            Assert.Null(((S3BlobWriter)writer).UploadId);
        }

        Assert.Equal(content, await ReadAsync(key, 0, content.Length));
    }

    [Fact]
    public async Task RemoveStaged_ServiceWithoutListMultipartUploads_ReturnsZeroAndWarns()
    {
        // s3rver 3.7.1 answers ListMultipartUploads with 501 NotImplemented; the node must still start.
        Assert.Equal(0, await Store.RemoveStagedAsync(Ct));

        var entry = Assert.Single(_log.Entries, e => e.EventId.Id == 3053);
        Assert.Contains("NotImplemented", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_LastModified_IsTheLastModifiedOfTheObject()
    {
        var keys = new[] { SlotIds.New(), SlotIds.New() };
        foreach (var key in keys)
        {
            await WriteBlobAsync(key, TenBytes);
        }

        foreach (var blob in await ListAsync())
        {
            var metadata = await Store.Client.GetObjectMetadataAsync(s3rver.Server.Bucket, _prefix + blob.Key, Ct);
            Assert.Equal(metadata.LastModified!.Value.ToUniversalTime(), blob.LastModified.UtcDateTime);
        }
    }

    [Fact]
    public async Task Store_WithoutKeyPrefix_KeepsBlobsAtTheTopOfTheBucket()
    {
        using var store = Open(prefix: string.Empty);
        var key = SlotIds.New();

        await WriteBlobAsync(store, key, TenBytes);

        Assert.Equal(TenBytes.ToArray(), await GetObjectDirectlyAsync(key));
        Assert.Contains(key, (await ListAsync(store)).Select(b => b.Key));
        await store.DeleteAsync(key, Ct);
    }

    protected override ValueTask<S3BlobStore> CreateStoreAsync() => ValueTask.FromResult(Open(_prefix));

    protected override IBlobStore CreateAnotherNode(int listPageSize) => Open(_prefix, listPageSize);

    protected override async Task PutEntriesThatAreNotBlobsAsync(string key)
    {
        await PutObjectDirectlyAsync(_prefix + "README.txt");
        await PutObjectDirectlyAsync(_prefix + "nested/" + key);
        await PutObjectDirectlyAsync(_prefix.TrimEnd('/') + key);
    }

    private S3BlobStore Open(string prefix, int listPageSize = 1000) =>
        new(
            Options.Create(new S3BlobStoreOptions
            {
                ServiceUrl = s3rver.Server.ServiceUrl,
                Bucket = s3rver.Server.Bucket,
                AccessKey = XmppUpload.Testing.S3rverServer.AccessKey,
                SecretKey = XmppUpload.Testing.S3rverServer.SecretKey,
                KeyPrefix = prefix,
                PartSize = PartSize,
            }),
            _log)
        {
            ListPageSize = listPageSize,
        };

    private async Task PutObjectDirectlyAsync(string objectKey) =>
        await Store.Client.PutObjectAsync(
            new PutObjectRequest { BucketName = s3rver.Server.Bucket, Key = objectKey, ContentBody = "not a blob", UseChunkEncoding = false },
            Ct);

    private async Task<byte[]> GetObjectDirectlyAsync(string objectKey)
    {
        using var response = await Store.Client.GetObjectAsync(s3rver.Server.Bucket, objectKey, Ct);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }
}
