using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Core.Tokens;

namespace XmppUpload.Http.Upload;

/// <summary>
/// XEP-0363 section 7, the PUT: check the token, length and type without I/O; take the slot in the ledger; stream
/// the body into a staged blob; commit the blob, then the ledger, and answer 201. Whatever goes wrong after the
/// ledger said Started puts the slot back to Pending, so the client may try again until the deadline.
/// </summary>
internal sealed class PutHandler(
    ILedger ledger,
    IBlobStore blobs,
    SlotTokens tokens,
    SlotUrls urls,
    TimeProvider time,
    ILogger<PutHandler> logger)
{
    /// <summary>Large enough that the blob store sees few, large writes; rented once per request.</summary>
    internal const int BufferSize = 128 * 1024;

    public async Task HandleAsync(HttpContext context, UploadPath path)
    {
        var request = context.Request;

        // The token signs the slot id and the decoded file name (see UploadPath), its size and its content type.
        var authorization = request.Headers.Authorization;
        if (authorization.Count == 0)
        {
            await RefuseAsync(context, path, StatusCodes.Status403Forbidden,
                "no upload token; send the Authorization header that came with the slot");
            return;
        }

        // A token naming a key this node does not hold yet makes it look for the key in the ledger first (rate-limited).
        var (check, token) = authorization.Count == 1
            ? await tokens.CheckAsync(authorization[0], path.SlotId, path.FileName, time.GetUtcNow(), context.RequestAborted)
            : new TokenVerdict(TokenCheck.Invalid, default);
        switch (check)
        {
            case TokenCheck.Invalid:
                await RefuseAsync(context, path, StatusCodes.Status403Forbidden,
                    "the upload token is not valid for this URL; send the Authorization header that came with this slot");
                return;
            case TokenCheck.Expired:
                await RefuseAsync(context, path, StatusCodes.Status403Forbidden,
                    "slot expired; the upload token's deadline has passed, request a new slot");
                return;
        }

        // RFC 9112 section 6.3: a chunked body has no length up front. XEP-0363 section 7 needs the exact length.
        if (request.Headers.TransferEncoding.Count > 0 || request.ContentLength is not { } length)
        {
            await RefuseAsync(context, path, StatusCodes.Status411LengthRequired,
                $"send the file with Content-Length: {token.Size}, not chunked");
            return;
        }

        // XEP-0363 section 7: reject when Content-Length differs from the slot's size; decided before any body byte is read.
        if (length < token.Size)
        {
            await RefuseAsync(context, path, StatusCodes.Status400BadRequest,
                $"Content-Length {length} is smaller than the slot's size of {token.Size} bytes");
            return;
        }

        if (length > token.Size)
        {
            await RefuseAsync(context, path, StatusCodes.Status413PayloadTooLarge,
                $"Content-Length {length} is larger than the slot's size of {token.Size} bytes");
            return;
        }

        // XEP-0363 section 7: the service SHOULD reject a Content-Type that does not match the requested one.
        if (token.ContentType is { } expectedType && !MediaTypes.SameMediaType(expectedType, request.ContentType))
        {
            await RefuseAsync(context, path, StatusCodes.Status415UnsupportedMediaType,
                $"Content-Type {PlainText.Quote(request.ContentType)} does not match the slot's '{expectedType}'");
            return;
        }

        // Not cancellable: once the ledger has moved the slot to Uploading this request must learn it, or nobody
        // would move it back. A ledger call is short; the client's patience plays no part in it.
        var begin = await ledger.TryBeginUploadAsync(path.SlotId, time.GetUtcNow(), CancellationToken.None);
        switch (begin)
        {
            case BeginUploadResult.Started:
                break;
            case BeginUploadResult.NotFound:
                await RefuseAsync(context, path, StatusCodes.Status404NotFound, "there is no such slot");
                return;
            case BeginUploadResult.Expired:
                await RefuseAsync(context, path, StatusCodes.Status403Forbidden, "slot expired; request a new slot");
                return;
            case BeginUploadResult.InProgress:
                await RefuseAsync(context, path, StatusCodes.Status409Conflict, "another upload to this slot is in progress");
                return;
            case BeginUploadResult.AlreadyStored:
                await RefuseAsync(context, path, StatusCodes.Status409Conflict, "the file of this slot has already been uploaded");
                return;
            default:
                throw new InvalidOperationException($"Unknown {nameof(BeginUploadResult)} {begin}.");
        }

        Refusal? refusal = null;
        var recorded = false;
        try
        {
            Log.UploadStarted(logger, path.SlotId, token.Size);

            // The server-wide request body limit is for everything else; this body is as large as the slot, and no larger.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
            {
                bodySize.MaxRequestBodySize = token.Size;
            }

            refusal = await ReceiveAndRecordAsync(context, path, token.Size);
            recorded = refusal is null;
        }
        finally
        {
            // Before any answer goes out: a client that retries at once must find the slot Pending, not Uploading.
            if (!recorded)
            {
                await AbortAsync(path.SlotId);
            }
        }

        if (refusal is { } answer && !context.RequestAborted.IsCancellationRequested)
        {
            await PlainText.WriteAsync(context, answer.Status, answer.Reason);
        }
    }

    /// <summary>
    /// Null once the ledger has recorded the file as stored and the 201 is set; otherwise the answer to give after
    /// the slot has been returned to Pending.
    /// </summary>
    private async Task<Refusal?> ReceiveAndRecordAsync(HttpContext context, UploadPath path, long size)
    {
        var aborted = context.RequestAborted;
        Received received;
        try
        {
            received = await ReceiveAsync(context.Request.Body, path.SlotId, size, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            Log.UploadCancelled(logger, path.SlotId);
            return new Refusal(StatusCodes.Status400BadRequest, "the upload was cancelled");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Body read failures are caught inside ReceiveAsync; what reaches here is the blob store's.
            Log.UploadFailed(logger, path.SlotId, exception);
            return new Refusal(StatusCodes.Status500InternalServerError, "the file could not be stored; send the PUT again");
        }

        if (received.Outcome != ReceiveOutcome.Committed)
        {
            var cause = received.Outcome switch
            {
                ReceiveOutcome.TooLong => "more bytes than the slot's size",
                ReceiveOutcome.Short => "the body ended early",
                _ => "the body could not be read: " + received.Failure?.Message,
            };
            Log.UploadAborted(logger, path.SlotId, received.Bytes, size, cause);
            return new Refusal(StatusCodes.Status400BadRequest,
                $"the upload was cut off after {received.Bytes} of {size} bytes ({cause}); nothing was stored, send the PUT again");
        }

        // The bytes are durable; record them even if the client leaves now, since only the ledger makes them visible.
        if (!await ledger.TryCompleteUploadAsync(path.SlotId, time.GetUtcNow(), CancellationToken.None))
        {
            Log.CompleteRefused(logger, path.SlotId);
            return new Refusal(StatusCodes.Status500InternalServerError, "the file could not be recorded; request a new slot");
        }

        Log.UploadStored(logger, path.SlotId, size);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.Headers.Location = urls.For(path.SlotId, path.FileName).AbsoluteUri;
        response.Headers.CacheControl = "no-store";
        response.ContentLength = 0;
        return null;
    }

    /// <summary>Streams the body into a staged blob through one pooled buffer and commits it if the length is exact.</summary>
    private async Task<Received> ReceiveAsync(Stream body, string slotId, long size, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            await using var writer = await blobs.BeginWriteAsync(slotId, cancellationToken);
            long total = 0;
            var ended = false;
            while (!ended)
            {
                // Fill the buffer before writing, so the store sees large writes however the transport slices the body.
                var filled = 0;
                while (filled < buffer.Length)
                {
                    int read;
                    try
                    {
                        read = await body.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        // A body that cannot be read is the client's doing: a connection cut mid-body, bad framing.
                        return new Received(ReceiveOutcome.ReadFailed, total + filled, exception);
                    }

                    if (read == 0)
                    {
                        ended = true;
                        break;
                    }

                    filled += read;
                    if (total + filled > size)
                    {
                        return new Received(ReceiveOutcome.TooLong, total + filled, null);
                    }
                }

                if (filled > 0)
                {
                    await writer.WriteAsync(buffer.AsMemory(0, filled), cancellationToken);
                    total += filled;
                }
            }

            if (total != size)
            {
                return new Received(ReceiveOutcome.Short, total, null);
            }

            await writer.CommitAsync(cancellationToken);
            return new Received(ReceiveOutcome.Committed, total, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task AbortAsync(string slotId)
    {
        try
        {
            // Not the request's token: the client is often gone by now, and the slot must go back to Pending anyway.
            await ledger.TryAbortUploadAsync(slotId, CancellationToken.None);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            Log.AbortFailed(logger, slotId, exception);
        }
    }

    private Task RefuseAsync(HttpContext context, UploadPath path, int status, string reason)
    {
        Log.PutRefused(logger, path.SlotId, status, reason);
        return PlainText.WriteAsync(context, status, reason);
    }

    private enum ReceiveOutcome
    {
        Committed,
        Short,
        TooLong,
        ReadFailed,
    }

    private readonly record struct Received(ReceiveOutcome Outcome, long Bytes, Exception? Failure);

    private readonly record struct Refusal(int Status, string Reason);
}
