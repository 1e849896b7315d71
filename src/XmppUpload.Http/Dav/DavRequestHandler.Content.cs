using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using XmppUpload.Core.Dav;
using XmppUpload.Http.Upload;

namespace XmppUpload.Http.Dav;

/// <summary>GET, HEAD, PUT, DELETE and MKCOL.</summary>
internal sealed partial class DavRequestHandler
{
    private const int BufferSize = 128 * 1024;

    private async Task GetAsync(HttpContext context, DavRequestPath path)
    {
        var target = await store.FindAsync(path.Path, context.RequestAborted);
        var jid = await AuthenticateAsync(context, Decide(j => target is null || DavAccessRules.MayRead(target, j)));
        if (jid is null)
        {
            return;
        }

        target = await store.FindAsync(path.Path, context.RequestAborted);
        if (target is null)
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status404NotFound, "there is no resource at this path");
            return;
        }

        if (!DavAccessRules.MayRead(target, jid))
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status403Forbidden, "only the owner and the JIDs of its jidlist may read this resource");
            return;
        }

        var response = context.Response;
        var lastModified = target.ModifiedAt;
        var etag = new EntityTagHeaderValue(Quoted(target.ETag));
        response.Headers.ETag = etag.ToString();
        response.Headers.LastModified = HeaderUtilities.FormatDate(lastModified);
        // Access depends on the requester: only the client may keep it, and must ask again.
        response.Headers.CacheControl = "private, no-cache";
        if (target.IsCollection)
        {
            await PlainText.WriteAsync(context, StatusCodes.Status200OK, "this is a collection; list its members with PROPFIND and Depth: 1");
            return;
        }

        var request = context.Request;
        var typed = request.GetTypedHeaders();
        if (!Preconditions.Hold(request, typed, target.ETag, lastModified))
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status412PreconditionFailed, "the resource does not match If-Match or If-Unmodified-Since");
            return;
        }

        if (Preconditions.NotModified(request, typed, etag, lastModified))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        var isHead = HttpMethods.IsHead(request.Method);
        var outcome = RangeOutcome.Full;
        var range = new ByteRange(0, target.Size);
        if (!isHead && request.Headers.Range.Count > 0 && Preconditions.IfRangeHolds(request, typed, etag, lastModified))
        {
            outcome = ByteRange.Resolve(request.Headers.Range, target.Size, out var requested);
            if (outcome == RangeOutcome.Partial)
            {
                range = requested;
            }
        }

        if (outcome == RangeOutcome.Unsatisfiable)
        {
            response.Headers.ContentRange = new ContentRangeHeaderValue(target.Size).ToString();
            await PlainText.WriteAsync(context, StatusCodes.Status416RangeNotSatisfiable, $"the range lies outside the file's {target.Size} bytes");
            return;
        }

        Stream? content = null;
        if (!isHead && range.Length > 0)
        {
            content = await blobs.OpenReadAsync(target.BlobKey!, range.Offset, range.Length, context.RequestAborted);
            if (content is null)
            {
                DavLog.BlobMissing(logger, path.Path, target.BlobKey!);
                await PlainText.WriteAsync(context, StatusCodes.Status404NotFound, "the file's bytes are missing");
                return;
            }
        }

        await using (content)
        {
            var servedType = MediaTypes.Served(target.ContentType);
            response.ContentType = servedType;
            response.Headers.AcceptRanges = "bytes";
            response.Headers.ContentDisposition = ContentDispositions.For(DavPaths.Name(target.Path), MediaTypes.IsSafeInline(servedType));
            response.ContentLength = range.Length;
            if (outcome == RangeOutcome.Partial)
            {
                response.StatusCode = StatusCodes.Status206PartialContent;
                response.Headers.ContentRange = new ContentRangeHeaderValue(range.Offset, range.Last, target.Size).ToString();
            }
            else
            {
                response.StatusCode = StatusCodes.Status200OK;
            }

            if (content is not null)
            {
                await BlobResponses.SendAsync(context, content, range.Length, context.RequestAborted);
            }
        }
    }

    private async Task PutAsync(HttpContext context, DavRequestPath path)
    {
        var cancellationToken = context.RequestAborted;
        if (path.Path == DavPaths.Root)
        {
            context.Response.Headers.Allow = AllowedMethods;
            await RefuseAsync(context, path.Path, StatusCodes.Status405MethodNotAllowed, "the root is a collection; PUT a file below it");
            return;
        }

        var target = await store.FindAsync(path.Path, cancellationToken);
        var parent = await store.FindAsync(DavPaths.Parent(path.Path), cancellationToken);
        var jid = await AuthenticateAsync(context, Decide(j => MayWriteOrCreate(target, parent, j)));
        if (jid is null)
        {
            return;
        }

        var owner = jid.Bare.ToString();
        target = await store.FindAsync(path.Path, cancellationToken);
        if (target is { IsCollection: true })
        {
            context.Response.Headers.Allow = "OPTIONS, GET, HEAD, DELETE, COPY, MOVE, PROPFIND, PROPPATCH";
            await RefuseAsync(context, path.Path, StatusCodes.Status405MethodNotAllowed, "this is a collection; PUT replaces files only");
            return;
        }

        if (target is not null && !DavAccessRules.IsOwner(target, jid))
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status403Forbidden, "only the owner may overwrite this file (XEP-0129 section 4)");
            return;
        }

        var request = context.Request;
        var mustNotExist = request.Headers.IfNoneMatch.Any(v => v?.Trim() == "*");
        var matchTags = Preconditions.IfMatchTags(request);
        if ((mustNotExist && target is not null) || (matchTags is not null && (target is null || !(matchTags.Contains("*") || matchTags.Contains(target.ETag)))))
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status412PreconditionFailed,
                mustNotExist ? "If-None-Match: * and the resource exists" : "If-Match does not match the resource");
            return;
        }

        parent = await store.FindAsync(DavPaths.Parent(path.Path), cancellationToken);
        if (target is null && parent is not { IsCollection: true })
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status409Conflict, "the parent collection does not exist; create it with MKCOL first");
            return;
        }

        if (target is null && !DavAccessRules.MayCreateIn(parent!, jid))
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status403Forbidden, "the parent collection belongs to someone else");
            return;
        }

        if (request.ContentLength is { } announced)
        {
            if (announced > _options.MaxFileSize)
            {
                await RefuseAsync(context, path.Path, StatusCodes.Status413PayloadTooLarge,
                    $"the file is {announced} bytes; WebDAV files may have at most {_options.MaxFileSize} bytes");
                return;
            }

            var usage = await store.GetUsageAsync(owner, cancellationToken) - (target?.Size ?? 0);
            if (usage + announced > _options.Quota)
            {
                await RefuseAsync(context, path.Path, StatusCodes.Status507InsufficientStorage,
                    $"{owner} keeps {usage} bytes in WebDAV files; {announced} more would exceed the quota of {_options.Quota} bytes");
                return;
            }
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = _options.MaxFileSize + 1;
        }

        var blobKey = NewBlobKey();
        long size;
        try
        {
            var received = await ReceiveAsync(request.Body, blobKey, cancellationToken);
            if (received < 0)
            {
                await RefuseAsync(context, path.Path, StatusCodes.Status413PayloadTooLarge,
                    $"the body is larger than the {_options.MaxFileSize} bytes a WebDAV file may have; nothing was stored");
                return;
            }

            size = received;
        }
        catch (BodyReadException exception)
        {
            // The client's doing: a connection cut mid-body, bad framing.
            DavLog.PutFailed(logger, path.Path, exception.InnerException!);
            await RefuseAsync(context, path.Path, StatusCodes.Status400BadRequest, "the body could not be read; nothing was stored");
            return;
        }
        catch (IOException exception)
        {
            // The blob store's doing (a disk, an object store that failed): not the client's fault, and worth a retry.
            DavLog.PutFailed(logger, path.Path, exception);
            await RefuseAsync(context, path.Path, StatusCodes.Status500InternalServerError, "the file could not be stored; nothing was stored, send the PUT again");
            return;
        }

        var change = await store.PutFileAsync(new DavPutRequest
        {
            Path = path.Path,
            Owner = owner,
            Size = size,
            ContentType = string.IsNullOrWhiteSpace(request.ContentType) ? null : request.ContentType,
            BlobKey = blobKey,
            ETag = blobKey[3..],
            Now = time.GetUtcNow(),
            MustNotExist = mustNotExist,
            MatchETags = matchTags,
            Quota = _options.Quota,
            MaxFileSize = _options.MaxFileSize,
        }, CancellationToken.None);

        if (change.Outcome is not (DavOutcome.Created or DavOutcome.Replaced))
        {
            await DeleteBlobsAsync([blobKey]);
            var (status, reason) = change.Outcome switch
            {
                DavOutcome.IsCollection => (StatusCodes.Status405MethodNotAllowed, "this is a collection; PUT replaces files only"),
                DavOutcome.PreconditionFailed => (StatusCodes.Status412PreconditionFailed, "the resource changed: If-None-Match or If-Match no longer holds"),
                DavOutcome.ParentMissing => (StatusCodes.Status409Conflict, "the parent collection does not exist"),
                DavOutcome.NotOwner => (StatusCodes.Status403Forbidden, "only the owner may overwrite this file"),
                DavOutcome.TooLarge => (StatusCodes.Status413PayloadTooLarge, $"WebDAV files may have at most {_options.MaxFileSize} bytes"),
                DavOutcome.OverQuota => (StatusCodes.Status507InsufficientStorage, $"{size} more bytes would exceed {owner}'s WebDAV quota of {_options.Quota} bytes"),
                _ => (StatusCodes.Status500InternalServerError, "unexpected store outcome " + change.Outcome),
            };
            await RefuseAsync(context, path.Path, status, reason);
            return;
        }

        await DeleteBlobsAsync(change.OrphanedBlobs);
        DavLog.Stored(logger, path.Path, size, owner);
        var response = context.Response;
        response.Headers.ETag = Quoted(change.Resource!.ETag);
        response.Headers.LastModified = HeaderUtilities.FormatDate(change.Resource.ModifiedAt);
        response.Headers.CacheControl = "no-store";
        if (change.Outcome == DavOutcome.Created)
        {
            response.Headers.Location = Href(path.Path, isCollection: false);
            response.StatusCode = StatusCodes.Status201Created;
        }
        else
        {
            response.StatusCode = StatusCodes.Status204NoContent;
        }

        response.ContentLength = 0;
    }

    /// <summary>Streams the body into a staged blob through one pooled buffer; -1 when it exceeds MaxFileSize (nothing kept).</summary>
    private async Task<long> ReceiveAsync(Stream body, string blobKey, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            await using var writer = await blobs.BeginWriteAsync(blobKey, cancellationToken);
            long total = 0;
            int read;
            while ((read = await ReadBodyAsync(body, buffer, cancellationToken)) > 0)
            {
                total += read;
                if (total > _options.MaxFileSize)
                {
                    return -1;
                }

                await writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            await writer.CommitAsync(cancellationToken);
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async ValueTask<int> ReadBodyAsync(Stream body, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await body.ReadAsync(buffer.AsMemory(), cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or BadHttpRequestException)
        {
            throw new BodyReadException(exception);
        }
    }

    private async Task DeleteAsync(HttpContext context, DavRequestPath path)
    {
        var cancellationToken = context.RequestAborted;
        var target = await store.FindAsync(path.Path, cancellationToken);
        var jid = await AuthenticateAsync(context, Decide(j => target is null || DavAccessRules.IsOwner(target, j)));
        if (jid is null)
        {
            return;
        }

        if (path.Path == DavPaths.Root)
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status403Forbidden, "the shared root cannot be deleted");
            return;
        }

        var depth = context.Request.Headers["Depth"].ToString();
        if (depth.Length > 0 && !string.Equals(depth, "infinity", StringComparison.OrdinalIgnoreCase))
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status400BadRequest, "DELETE takes Depth: infinity or no Depth (RFC 4918 section 9.6.1)");
            return;
        }

        target = await store.FindAsync(path.Path, cancellationToken);
        if (target is null)
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status404NotFound, "there is no resource at this path");
            return;
        }

        if (!DavAccessRules.IsOwner(target, jid))
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status403Forbidden, "only the owner may delete this resource (XEP-0129 section 4)");
            return;
        }

        var typed = context.Request.GetTypedHeaders();
        if (!Preconditions.Hold(context.Request, typed, target.ETag, target.ModifiedAt))
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status412PreconditionFailed, "the resource does not match If-Match");
            return;
        }

        // The tree first, in one transaction; the bytes after, so nothing the tree names ever goes missing.
        var change = await store.DeleteAsync(path.Path, CancellationToken.None);
        if (change.Outcome == DavOutcome.NotFound)
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status404NotFound, "there is no resource at this path");
            return;
        }

        await DeleteBlobsAsync(change.OrphanedBlobs);
        DavLog.Changed(logger, "DELETE", path.Path, jid.ToString(), StatusCodes.Status204NoContent);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task MkcolAsync(HttpContext context, DavRequestPath path)
    {
        var cancellationToken = context.RequestAborted;
        var target = await store.FindAsync(path.Path, cancellationToken);
        var parent = path.Path == DavPaths.Root ? null : await store.FindAsync(DavPaths.Parent(path.Path), cancellationToken);
        var jid = await AuthenticateAsync(context, Decide(j => target is not null || parent is null || DavAccessRules.MayCreateIn(parent, j)));
        if (jid is null)
        {
            return;
        }

        // RFC 4918 section 9.3: a body the server does not understand is 415; this server understands none.
        var request = context.Request;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status415UnsupportedMediaType, "MKCOL takes no body here");
            return;
        }

        parent = path.Path == DavPaths.Root ? null : await store.FindAsync(DavPaths.Parent(path.Path), cancellationToken);
        if (parent is { IsCollection: true } && !DavAccessRules.MayCreateIn(parent, jid) && await store.FindAsync(path.Path, cancellationToken) is null)
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status403Forbidden, "the parent collection belongs to someone else");
            return;
        }

        var change = await store.CreateCollectionAsync(path.Path, jid.Bare.ToString(), time.GetUtcNow(), CancellationToken.None);
        switch (change.Outcome)
        {
            case DavOutcome.Created:
                DavLog.Changed(logger, "MKCOL", path.Path, jid.ToString(), StatusCodes.Status201Created);
                context.Response.Headers.Location = Href(path.Path, isCollection: true);
                context.Response.StatusCode = StatusCodes.Status201Created;
                context.Response.ContentLength = 0;
                break;
            case DavOutcome.AlreadyExists:
                context.Response.Headers.Allow = AllowedMethods;
                await RefuseAsync(context, path.Path, StatusCodes.Status405MethodNotAllowed, "a resource already exists at this path (RFC 4918 section 9.3.1)");
                break;
            default:
                await RefuseAsync(context, path.Path, StatusCodes.Status409Conflict, "the parent collection does not exist (RFC 4918 section 9.3.1)");
                break;
        }
    }

    /// <summary>Overwrite needs ownership; creation needs the parent to be the root or the requester's own (a missing parent is 409 later).</summary>
    private static bool MayWriteOrCreate(DavResource? target, DavResource? parent, Core.Addressing.Jid jid) =>
        target is not null ? DavAccessRules.IsOwner(target, jid) : parent is null || !parent.IsCollection || DavAccessRules.MayCreateIn(parent, jid);

    /// <summary>Marks a failure to read the request body, so it is told apart from the blob store's failures.</summary>
    private sealed class BodyReadException(Exception inner) : IOException(inner.Message, inner);
}
