using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;

namespace XmppUpload.Http.Upload;

/// <summary>
/// GET and HEAD of a stored file: representation and security headers, conditional requests (RFC 9110 section 13),
/// a single byte range (section 14), and the bytes streamed from the blob store through one pooled buffer.
/// </summary>
internal sealed class GetHandler(ILedger ledger, IBlobStore blobs, StoredSlotCache cache, TimeProvider time, ILogger<GetHandler> logger)
{
    /// <summary>A stored file never changes, so caches may keep it for the longest time RFC 9111 suggests.</summary>
    private const long MaxAgeSeconds = 365L * 24 * 60 * 60;

    public Task HandleAsync(HttpContext context, UploadPath path) => HandleAsync(context, path, useCache: cache.Enabled);

    private async Task HandleAsync(HttpContext context, UploadPath path, bool useCache)
    {
        var request = context.Request;
        var response = context.Response;
        var cancellationToken = context.RequestAborted;
        var isHead = HttpMethods.IsHead(request.Method);

        Slot? slot;
        var cached = false;
        try
        {
            if (useCache && cache.TryGet(path.SlotId, out var known))
            {
                slot = known;
                cached = true;
            }
            else
            {
                slot = await ledger.FindSlotAsync(path.SlotId, cancellationToken);
                if (slot is not null)
                {
                    cache.Remember(slot);
                }
            }
        }
        catch (Exception exception) when (LedgerFailures.IsUnavailable(exception) && !cancellationToken.IsCancellationRequested)
        {
            // Whether the file exists is unknown, so neither 404 nor a bare 500: the client may try again shortly.
            Log.GetLedgerUnavailable(logger, path.SlotId, exception);
            response.Headers.RetryAfter = ((int)PutHandler.RetryAfterUnavailable.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            await PlainText.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                "the upload service cannot reach its ledger just now; try again shortly");
            return;
        }

        var now = time.GetUtcNow();

        // The name is part of the address: the same id under another name is not this file. An ephemeral file past
        // its expire-before is gone even while its blob waits for the sweeper.
        if (slot is not { StoredAt: { } storedAt } || !slot.IsServable(now)
            || !string.Equals(slot.FileName, path.FileName, StringComparison.Ordinal))
        {
            await PlainText.WriteAsync(context, StatusCodes.Status404NotFound,
                "there is no file at this URL; it was never uploaded, has expired or was removed");
            return;
        }

        // Strong validator: a slot's bytes never change once stored, so its id identifies them.
        var etag = new EntityTagHeaderValue($"\"{slot.Id}\"");
        // HTTP dates have whole seconds; comparing with the truncated time keeps If-Modified-Since exact.
        var lastModified = new DateTimeOffset(storedAt.UtcTicks - storedAt.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var headers = request.GetTypedHeaders();

        switch (EvaluatePreconditions(request, headers, etag, lastModified))
        {
            case Precondition.Failed:
                await PlainText.WriteAsync(context, StatusCodes.Status412PreconditionFailed,
                    "the file does not match If-Match or If-Unmodified-Since");
                return;
            case Precondition.NotModified:
                // RFC 9110 section 15.4.5: a 304 carries the validators and caching headers a 200 would.
                SetValidators(response, etag, lastModified, CacheControlFor(slot, now));
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
        }

        var length = slot.Size;
        var outcome = RangeOutcome.Full;
        var range = new ByteRange(0, length);
        // RFC 9110 section 14.2: Range is defined for GET only; HEAD describes the whole file.
        if (!isHead && request.Headers.Range.Count > 0 && IfRangeHolds(request, headers, etag, lastModified))
        {
            outcome = ByteRange.Resolve(request.Headers.Range, length, out var requested);
            if (outcome == RangeOutcome.Partial)
            {
                range = requested;
            }
        }

        if (outcome == RangeOutcome.Unsatisfiable)
        {
            response.Headers.ContentRange = new ContentRangeHeaderValue(length).ToString();
            await PlainText.WriteAsync(context, StatusCodes.Status416RangeNotSatisfiable,
                $"the range {PlainText.Quote(request.Headers.Range.ToString())} lies outside the file's {length} bytes");
            return;
        }

        Stream? content = null;
        if (!isHead)
        {
            content = await blobs.OpenReadAsync(slot.Id, range.Offset, range.Length, cancellationToken);
            if (content is null && cached)
            {
                // Most likely deleted since it was cached: the ledger says what is true now.
                cache.Forget(slot.Id);
                await HandleAsync(context, path, useCache: false);
                return;
            }

            if (content is null)
            {
                Log.BlobMissing(logger, slot.Id);
                await PlainText.WriteAsync(context, StatusCodes.Status404NotFound, "the file's bytes are missing");
                return;
            }
        }

        await using (content)
        {
            SetValidators(response, etag, lastModified, CacheControlFor(slot, now));
            response.Headers.AcceptRanges = "bytes";
            var servedType = MediaTypes.Served(slot.ContentType);
            response.ContentType = servedType;
            response.Headers.ContentDisposition = ContentDispositions.For(slot.FileName, MediaTypes.IsSafeInline(servedType));
            response.ContentLength = range.Length;
            if (outcome == RangeOutcome.Partial)
            {
                response.StatusCode = StatusCodes.Status206PartialContent;
                response.Headers.ContentRange = new ContentRangeHeaderValue(range.Offset, range.Last, length).ToString();
            }
            else
            {
                response.StatusCode = StatusCodes.Status200OK;
            }

            if (content is not null && await BlobResponses.SendAsync(context, content, range.Length, cancellationToken) is > 0 and var missing)
            {
                Log.BlobShort(logger, slot.Id, missing);
            }
        }
    }

    private static void SetValidators(HttpResponse response, EntityTagHeaderValue etag, DateTimeOffset lastModified, string cacheControl)
    {
        response.Headers.ETag = etag.ToString();
        response.Headers.LastModified = HeaderUtilities.FormatDate(lastModified);
        response.Headers.CacheControl = cacheControl;
    }

    /// <summary>Immutable content, cacheable for a year, but never past the moment it stops being served.</summary>
    private static string CacheControlFor(Slot slot, DateTimeOffset now)
    {
        var maxAge = MaxAgeSeconds;
        if (slot.ExpiresAt is { } expiresAt)
        {
            maxAge = Math.Clamp((long)Math.Floor((expiresAt - now).TotalSeconds), 0, MaxAgeSeconds);
        }

        return string.Create(CultureInfo.InvariantCulture, $"public, max-age={maxAge}, immutable");
    }

    /// <summary>RFC 9110 section 13.2.2: the order in which preconditions are evaluated.</summary>
    private static Precondition EvaluatePreconditions(HttpRequest request, RequestHeaders headers, EntityTagHeaderValue etag, DateTimeOffset lastModified)
    {
        if (request.Headers.IfMatch.Count > 0)
        {
            // Strong comparison; "*" matches any current representation, and there is one.
            if (!headers.IfMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: true)))
            {
                return Precondition.Failed;
            }
        }
        else if (headers.IfUnmodifiedSince is { } unmodifiedSince && lastModified > unmodifiedSince)
        {
            return Precondition.Failed;
        }

        if (request.Headers.IfNoneMatch.Count > 0)
        {
            // Weak comparison for If-None-Match (section 13.1.2).
            if (headers.IfNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: false)))
            {
                return Precondition.NotModified;
            }
        }
        else if (headers.IfModifiedSince is { } modifiedSince && lastModified <= modifiedSince)
        {
            return Precondition.NotModified;
        }

        return Precondition.None;
    }

    /// <summary>RFC 9110 section 13.1.5: a Range applies only while If-Range still names this representation.</summary>
    private static bool IfRangeHolds(HttpRequest request, RequestHeaders headers, EntityTagHeaderValue etag, DateTimeOffset lastModified)
    {
        if (request.Headers.IfRange.Count == 0)
        {
            return true;
        }

        return headers.IfRange switch
        {
            { EntityTag: { } tag } => tag.Compare(etag, useStrongComparison: true),
            { LastModified: { } date } => date == lastModified,
            _ => false,
        };
    }

    private enum Precondition
    {
        None,
        NotModified,
        Failed,
    }
}
