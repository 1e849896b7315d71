using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;
using XmppUpload.Core.Tokens;

namespace XmppUpload.Http.Upload;

/// <summary>
/// XEP-0363 section 7, the PUT: check the token, length and type without I/O; take the slot in the ledger under a new
/// upload attempt and a lease (<see cref="UploadOptions.UploadLease"/>), renewed while the body streams into a staged
/// blob; confirm the lease, commit the blob, then record it in the ledger, and answer 201 once the ledger says Stored.
/// Whatever goes wrong after the ledger said Started puts the slot back to Pending (if this attempt still holds it),
/// so the client may try again until the deadline; if this node dies instead, a retry takes the slot over once the
/// lease lapses.
/// </summary>
/// <remarks>
/// <para>
/// Why the blob commit comes between a lease confirmation and the ledger's completion. Every attempt at a slot writes
/// the same blob key, and each blob store makes a commit replace the blob whole: the file system renames the staged
/// file over it, S3 completes the multipart upload (or puts the one-part object), Azure commits the block list. A
/// completion is refused to any attempt but the one holding the slot, so a taken-over attempt can never make the slot
/// Stored; what must not happen is a taken-over attempt's commit landing after the new holder's commit, replacing the
/// bytes the ledger serves. Another attempt can take the slot only once this attempt's lease has lapsed, so this
/// attempt commits only inside a lease it knows the ledger holds for it: it renews the lease right before the commit
/// (a renewal that finds another attempt refuses the commit and discards the staged blob), keeps renewing during the
/// commit, and runs the commit under a token that is cancelled when the last confirmed lease ends
/// (<see cref="UploadLease.OpenCommitWindow"/>). The new holder commits its own bytes before it completes, so if both
/// commit, the later one, the holder's, is what stays.
/// </para>
/// <para>
/// The window that remains, bounded by the lease: on the file system the token is checked just before the rename,
/// which is one system call, so a stale rename needs this process to stall between that check and the rename for
/// longer than the whole of the new holder's upload. On S3 and Azure a commit request already sent when the token is
/// cancelled may still be applied by the service later; that needs the request to reach the service after the lease
/// ended plus the new holder's entire upload and commit. Azure narrows it further: blocks are staged on the blob's
/// name, and a commit by the new holder discards the stale attempt's uncommitted blocks, so a stale Put Block List
/// sent after it fails. The lease is compared across nodes by their clocks, which must agree to well within it.
/// </para>
/// </remarks>
internal sealed class PutHandler(
    ILedger ledger,
    IBlobStore blobs,
    SlotTokens tokens,
    SlotUrls urls,
    IOptions<UploadOptions> uploadOptions,
    TimeProvider time,
    ILogger<PutHandler> logger)
{
    /// <summary>Large enough that the blob store sees few, large writes; rented once per request.</summary>
    internal const int BufferSize = 128 * 1024;

    /// <summary>When a PUT could not even begin because the ledger is unreachable, how soon the client may try again.</summary>
    internal static readonly TimeSpan RetryAfterUnavailable = TimeSpan.FromSeconds(5);

    private readonly TimeSpan _leaseLength = uploadOptions.Value.UploadLease;
    private readonly LedgerRetry _retry = new(time, logger);

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
        // would move it back before the lease lapses. A ledger call is short; the client's patience plays no part in it.
        UploadBegin begin;
        try
        {
            begin = await ledger.TryBeginUploadAsync(path.SlotId, time.GetUtcNow(), _leaseLength, CancellationToken.None);
        }
        catch (Exception exception) when (LedgerFailures.IsUnavailable(exception))
        {
            Log.BeginFailed(logger, path.SlotId, exception);
            await RefuseAsync(context, path, new Refusal(StatusCodes.Status503ServiceUnavailable,
                "the upload service cannot reach its ledger just now; nothing was stored, send the PUT again shortly", RetryAfterUnavailable));
            return;
        }

        switch (begin.Outcome)
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
                // The holder renews its lease while its bytes arrive; if it has died, the lease lapses and a PUT sent
                // after Retry-After takes the slot over.
                var wait = Until(begin.LeaseUntil!.Value);
                await RefuseAsync(context, path, new Refusal(StatusCodes.Status409Conflict,
                    $"another upload to this slot is in progress; if it has stopped, send the PUT again after {Seconds(wait)} seconds", wait));
                return;
            case BeginUploadResult.AlreadyStored:
                await RefuseAsync(context, path, StatusCodes.Status409Conflict, "the file of this slot has already been uploaded");
                return;
            default:
                throw new InvalidOperationException($"Unknown {nameof(BeginUploadResult)} {begin.Outcome}.");
        }

        if (begin.TookOver)
        {
            Log.UploadTookOver(logger, path.SlotId);
        }

        Refusal? refusal = null;
        var recorded = false;
        var lease = new UploadLease(ledger, path.SlotId, begin.Attempt!, begin.LeaseUntil!.Value, _leaseLength, time, logger);
        try
        {
            Log.UploadStarted(logger, path.SlotId, token.Size);

            // The server-wide request body limit is for everything else; this body is as large as the slot, and no larger.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
            {
                bodySize.MaxRequestBodySize = token.Size;
            }

            refusal = await ReceiveAndRecordAsync(context, path, token.Size, lease);
            recorded = refusal is null;
        }
        finally
        {
            // Before any answer goes out: a client that retries at once must find the slot Pending, not Uploading. The
            // abort names this attempt, so it changes nothing once another attempt holds the slot.
            await lease.DisposeAsync();
            if (!recorded)
            {
                await AbortAsync(path.SlotId, lease.Attempt);
            }
        }

        if (refusal is { } answer && !context.RequestAborted.IsCancellationRequested)
        {
            await RefuseAsync(context, path, answer);
        }
    }

    /// <summary>
    /// Null once the ledger has recorded the file as stored and the 201 is set; otherwise the answer to give after
    /// the slot has been returned to Pending.
    /// </summary>
    private async Task<Refusal?> ReceiveAndRecordAsync(HttpContext context, UploadPath path, long size, UploadLease lease)
    {
        var aborted = context.RequestAborted;
        Received received;
        try
        {
            received = await ReceiveAsync(context.Request.Body, path.SlotId, size, lease, aborted);
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

        switch (received.Outcome)
        {
            case ReceiveOutcome.Committed:
                break;
            case ReceiveOutcome.LeaseLost:
                // LeaseLost is logged where the renewal learnt it.
                return new Refusal(StatusCodes.Status409Conflict,
                    $"another upload took this slot over after {received.Bytes} of {size} bytes, while this one could not renew its claim; nothing of this upload was stored");
            case ReceiveOutcome.LedgerUnreachable:
                Log.CommitWithheld(logger, path.SlotId, received.Bytes);
                return new Refusal(StatusCodes.Status503ServiceUnavailable,
                    "the file was received, but the upload service could not reach its ledger to keep its claim on the slot; nothing was stored, send the PUT again",
                    RetryAfterClaim(lease));
            case ReceiveOutcome.Short or ReceiveOutcome.TooLong or ReceiveOutcome.ReadFailed:
                var cause = received.Outcome switch
                {
                    ReceiveOutcome.TooLong => "more bytes than the slot's size",
                    ReceiveOutcome.Short => "the body ended early",
                    _ => "the body could not be read: " + received.Failure?.Message,
                };
                Log.UploadAborted(logger, path.SlotId, received.Bytes, size, cause);
                return new Refusal(StatusCodes.Status400BadRequest,
                    $"the upload was cut off after {received.Bytes} of {size} bytes ({cause}); nothing was stored, send the PUT again");
            default:
                throw new InvalidOperationException($"Unknown {nameof(ReceiveOutcome)} {received.Outcome}.");
        }

        // The bytes are durable; record them even if the client leaves now, since only the ledger makes them visible.
        // The renewals stop first: the completion ends the upload, and a renewal after it would read as a lost lease.
        await lease.StopAsync();
        var (answered, stored) = await _retry.RunAsync(
            path.SlotId, "recording the upload", token => ledger.TryCompleteUploadAsync(path.SlotId, lease.Attempt, time.GetUtcNow(), token));
        if (!answered)
        {
            return new Refusal(StatusCodes.Status503ServiceUnavailable,
                "the file was received, but the upload service could not reach its ledger to record it; it is not served, send the PUT again",
                RetryAfterClaim(lease));
        }

        if (!stored)
        {
            Log.CompleteRefused(logger, path.SlotId);
            return new Refusal(StatusCodes.Status409Conflict,
                "this upload no longer held the slot when it was to be recorded (another upload took it over, or the slot was removed); it is not served");
        }

        Log.UploadStored(logger, path.SlotId, size);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.Headers.Location = urls.For(path.SlotId, path.FileName).AbsoluteUri;
        response.Headers.CacheControl = "no-store";
        response.ContentLength = 0;
        return null;
    }

    /// <summary>
    /// Streams the body into a staged blob through one pooled buffer; if the length is exact, confirms the lease and
    /// commits the blob inside it. Stops at once, committing nothing, when the lease is lost.
    /// </summary>
    private async Task<Received> ReceiveAsync(Stream body, string slotId, long size, UploadLease lease, CancellationToken aborted)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        using var streaming = CancellationTokenSource.CreateLinkedTokenSource(aborted, lease.Lost);
        var cancellationToken = streaming.Token;
        long received = 0;
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
                        return new Received(ReceiveOutcome.ReadFailed, received, exception);
                    }

                    if (read == 0)
                    {
                        ended = true;
                        break;
                    }

                    filled += read;
                    received += read;
                    if (received > size)
                    {
                        return new Received(ReceiveOutcome.TooLong, received, null);
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

            // See the class remarks: commit only inside a lease the ledger has just confirmed, and never after it ends.
            switch (await lease.ConfirmAsync(_retry))
            {
                case LeaseCheck.Lost:
                    return new Received(ReceiveOutcome.LeaseLost, total, null);
                case LeaseCheck.Unreachable:
                    return new Received(ReceiveOutcome.LedgerUnreachable, total, null);
            }

            using var window = CancellationTokenSource.CreateLinkedTokenSource(aborted, lease.OpenCommitWindow());
            try
            {
                await writer.CommitAsync(window.Token);
            }
            catch (OperationCanceledException) when (window.IsCancellationRequested && !aborted.IsCancellationRequested)
            {
                return new Received(lease.Lost.IsCancellationRequested ? ReceiveOutcome.LeaseLost : ReceiveOutcome.LedgerUnreachable, received, null);
            }

            return new Received(ReceiveOutcome.Committed, received, null);
        }
        catch (OperationCanceledException) when (lease.Lost.IsCancellationRequested && !aborted.IsCancellationRequested)
        {
            // The staged blob has been discarded with its writer.
            return new Received(ReceiveOutcome.LeaseLost, received, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task AbortAsync(string slotId, string attempt)
    {
        try
        {
            // Not the request's token: the client is often gone by now, and the slot must go back to Pending anyway.
            await ledger.TryAbortUploadAsync(slotId, attempt, CancellationToken.None);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The lease lapses by itself, and a retry then takes the slot over.
            Log.AbortFailed(logger, slotId, exception);
        }
    }

    private Task RefuseAsync(HttpContext context, UploadPath path, int status, string reason) =>
        RefuseAsync(context, path, new Refusal(status, reason));

    private Task RefuseAsync(HttpContext context, UploadPath path, Refusal refusal)
    {
        Log.PutRefused(logger, path.SlotId, refusal.Status, refusal.Reason);
        if (refusal.RetryAfter is { } wait && !context.Response.HasStarted)
        {
            // RFC 9110 section 10.2.3: delay-seconds.
            context.Response.Headers.RetryAfter = Seconds(wait);
        }

        return PlainText.WriteAsync(context, refusal.Status, refusal.Reason);
    }

    /// <summary>Until this attempt's claim lapses (at least a second): before then a retry would meet it and get 409.</summary>
    private TimeSpan RetryAfterClaim(UploadLease lease) => Until(lease.HeldUntil);

    private TimeSpan Until(DateTimeOffset moment)
    {
        var left = moment - time.GetUtcNow();
        return left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1);
    }

    // Whole seconds, rounded up: a client that waits this long finds the lease lapsed.
    private static string Seconds(TimeSpan wait) =>
        ((long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private enum ReceiveOutcome
    {
        Committed,
        Short,
        TooLong,
        ReadFailed,

        /// <summary>Another attempt took the slot over; nothing was committed (or, see the remarks, nothing waited for).</summary>
        LeaseLost,

        /// <summary>The ledger could not be reached to confirm the lease, or stayed away until the lease ended during the commit.</summary>
        LedgerUnreachable,
    }

    private readonly record struct Received(ReceiveOutcome Outcome, long Bytes, Exception? Failure);

    private readonly record struct Refusal(int Status, string Reason, TimeSpan? RetryAfter = null);
}
