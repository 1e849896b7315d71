using Microsoft.AspNetCore.Http;
using XmppUpload.Core.Dav;

namespace XmppUpload.Http.Dav;

/// <summary>COPY and MOVE (RFC 4918 sections 9.8 and 9.9).</summary>
internal sealed partial class DavRequestHandler
{
    private async Task TransferAsync(HttpContext context, DavRequestPath path, bool isMove)
    {
        var cancellationToken = context.RequestAborted;
        var method = isMove ? "MOVE" : "COPY";
        var request = context.Request;

        var destinationHeader = request.Headers["Destination"].ToString();
        if (destinationHeader.Length == 0)
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status400BadRequest, $"{method} needs a Destination header");
            return;
        }

        if (!TryReadDestination(destinationHeader, request.Host.Value, out var rawDestination, out var otherHost))
        {
            await RefuseAsync(context, path.Path, otherHost ? StatusCodes.Status502BadGateway : StatusCodes.Status400BadRequest,
                otherHost ? "the Destination is on another server" : "the Destination header is not a URI");
            return;
        }

        if (!DavRequestPath.TryParse(rawDestination, _prefix, out var destinationPath, out var reason))
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status400BadRequest, "Destination: " + reason);
            return;
        }

        var destination = destinationPath.Path;
        var overwriteHeader = request.Headers["Overwrite"].ToString().Trim();
        if (overwriteHeader is not ("" or "T" or "F"))
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status400BadRequest, "Overwrite must be T or F");
            return;
        }

        var depth = request.Headers["Depth"].ToString().Trim();
        var recursive = depth.Length == 0 || string.Equals(depth, "infinity", StringComparison.OrdinalIgnoreCase);
        if (!recursive && (depth != "0" || isMove))
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status400BadRequest,
                isMove ? "MOVE takes Depth: infinity or no Depth" : "COPY takes Depth: 0 or infinity");
            return;
        }

        var source = await store.FindAsync(path.Path, cancellationToken);
        var existing = await store.FindAsync(destination, cancellationToken);
        var destinationParent = destination == DavPaths.Root ? null : await store.FindAsync(DavPaths.Parent(destination), cancellationToken);
        var jid = await AuthenticateAsync(context, Decide(j =>
            (source is null || (isMove ? DavAccessRules.IsOwner(source, j) : DavAccessRules.MayRead(source, j)))
            && (existing is null ? destinationParent is null || !destinationParent.IsCollection || DavAccessRules.MayCreateIn(destinationParent, j) : DavAccessRules.IsOwner(existing, j))));
        if (jid is null)
        {
            return;
        }

        if (path.Path == DavPaths.Root || destination == DavPaths.Root)
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status403Forbidden, "the shared root can be neither source nor destination");
            return;
        }

        // Section 9.8.5: source and destination the same resource is 403; a collection into its own subtree is refused too.
        if (DavPaths.IsSelfOrDescendant(destination, path.Path) || DavPaths.IsSelfOrDescendant(path.Path, destination))
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status403Forbidden, "source and destination are the same resource or contain each other");
            return;
        }

        source = await store.FindAsync(path.Path, cancellationToken);
        if (source is null)
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status404NotFound, "there is no resource at this path");
            return;
        }

        if (isMove ? !DavAccessRules.IsOwner(source, jid) : !DavAccessRules.MayRead(source, jid))
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status403Forbidden, isMove ? "only the owner may move this resource (XEP-0129 section 4)" : "you may not read this resource");
            return;
        }

        destinationParent = await store.FindAsync(DavPaths.Parent(destination), cancellationToken);
        if (destinationParent is { IsCollection: true } && !DavAccessRules.MayCreateIn(destinationParent, jid))
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status403Forbidden, "the destination collection belongs to someone else");
            return;
        }

        var transfer = new DavTransferRequest
        {
            Source = path.Path,
            Destination = destination,
            Requester = jid.Bare.ToString(),
            Overwrite = overwriteHeader != "F",
            Recursive = recursive,
            Now = time.GetUtcNow(),
            Quota = _options.Quota,
        };
        var change = isMove
            ? await store.MoveAsync(transfer, CancellationToken.None)
            : await store.CopyAsync(transfer, CancellationToken.None);
        var (status, refusal) = change.Outcome switch
        {
            DavOutcome.Created => (StatusCodes.Status201Created, null),
            DavOutcome.Replaced => (StatusCodes.Status204NoContent, null),
            DavOutcome.NotFound => (StatusCodes.Status404NotFound, "there is no resource at this path"),
            DavOutcome.ParentMissing => (StatusCodes.Status409Conflict, "the destination's parent collection does not exist"),
            DavOutcome.PreconditionFailed => (StatusCodes.Status412PreconditionFailed, "the destination exists and Overwrite is F"),
            DavOutcome.NotOwner => (StatusCodes.Status403Forbidden, "only the owner may move or overwrite this resource"),
            DavOutcome.OverQuota => (StatusCodes.Status507InsufficientStorage, $"the copy would exceed {transfer.Requester}'s WebDAV quota of {_options.Quota} bytes"),
            _ => (StatusCodes.Status500InternalServerError, "unexpected store outcome " + change.Outcome),
        };
        if (refusal is not null)
        {
            await RefuseAsync(context, path.Path, status, refusal);
            return;
        }

        await DeleteBlobsAsync(change.OrphanedBlobs);
        DavLog.Changed(logger, method, path.Path, jid.ToString(), status);
        if (status == StatusCodes.Status201Created)
        {
            context.Response.Headers.Location = Href(destination, source.IsCollection);
        }

        context.Response.StatusCode = status;
        context.Response.ContentLength = 0;
    }

    /// <summary>An absolute URI on this host or an absolute path; the raw (still encoded) path comes back.</summary>
    private static bool TryReadDestination(string header, string? host, out string rawPath, out bool otherHost)
    {
        rawPath = string.Empty;
        otherHost = false;
        header = header.Trim();
        if (header.StartsWith('/'))
        {
            rawPath = header;
            return true;
        }

        var schemeEnd = header.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0 || !Uri.TryCreate(header, UriKind.Absolute, out _))
        {
            return false;
        }

        var authorityStart = schemeEnd + 3;
        var pathStart = header.IndexOf('/', authorityStart);
        var authority = pathStart < 0 ? header[authorityStart..] : header[authorityStart..pathStart];
        if (!string.Equals(authority, host, StringComparison.OrdinalIgnoreCase))
        {
            otherHost = true;
            return false;
        }

        rawPath = pathStart < 0 ? "/" : header[pathStart..];
        return true;
    }
}
