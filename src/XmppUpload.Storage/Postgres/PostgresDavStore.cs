using System.Data;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using XmppUpload.Core.Dav;

namespace XmppUpload.Storage.Postgres;

/// <summary>
/// The WebDAV tree in the cluster's PostgreSQL ledger (<c>dav_resources</c>, <c>dav_properties</c>,
/// <c>dav_jidlist</c>), with the semantics of <see cref="Dav.SqliteDavStore"/> for any number of nodes. Each change is
/// one READ COMMITTED transaction that first locks what it decides on, always in this order:
/// <list type="number">
/// <item>the row in <c>accounts</c> of the JID that gains resources (PUT, MKCOL, COPY, MOVE) or loses them all (purge),
/// the lock slot requests take: one account's quota decisions take turns across nodes, and a purge sees no new file
/// appear halfway;</item>
/// <item><c>FOR SHARE</c>, top down, the ancestors of each path it touches: no collection above disappears or moves
/// until the change commits;</item>
/// <item><c>FOR UPDATE</c> the resource it replaces, moves or deletes (<c>FOR SHARE</c> the rows it copies).</item>
/// </list>
/// It then reads and writes in statements of their own, whose snapshots include everything committed before its locks
/// were granted. A DELETE or MOVE of a collection thus waits for every change below it that started first (they hold
/// its row FOR SHARE) and sees their rows, while changes that start later find the collection gone or moved. Blobs are
/// reported orphaned only when no row names them any more, checked after the change while every row that copies them is
/// locked, so a blob is never deleted under a copy. A refused change rolls back whatever it did. A deadlock between two
/// changes, or two nodes creating the same path at once, starts the change over (up to <see cref="MaxAttempts"/>).
/// </summary>
public sealed class PostgresDavStore : IDavStore
{
    /// <summary>Runs of one change before a deadlock or a concurrent creation of its path is given up as an error.</summary>
    public const int MaxAttempts = 5;

    // jidlist_set tells "no list yet" (null) from an empty list; jids sort bytewise, as SQLite's BINARY collation does.
    private const string Columns =
        "r.path, r.is_collection, r.owner, r.size, r.content_type, r.etag, r.created_at, r.modified_at, r.blob_key, "
        + "CASE WHEN r.jidlist_set THEN ARRAY(SELECT j.jid FROM dav_jidlist AS j WHERE j.path = r.path ORDER BY j.jid COLLATE \"C\") END";

    // path has the "C" collation (schema version 1), so the subtree below /a is the byte range ['/a/', '/a0').
    private const string SubtreeCondition = "(path = @path OR (path >= @path || '/' AND path < @path || '0'))";

    private const string LockAncestors =
        "SELECT path, is_collection FROM dav_resources WHERE path = ANY(@paths) ORDER BY path FOR SHARE";

    private const string SelectUsage =
        "SELECT COALESCE(SUM(size), 0)::bigint FROM dav_resources WHERE owner = @owner AND NOT is_collection AND path IS DISTINCT FROM @except";

    private const string SelectUnreferenced =
        "SELECT key FROM unnest(@keys) WITH ORDINALITY AS keys (key, position) "
        + "WHERE NOT EXISTS (SELECT 1 FROM dav_resources WHERE blob_key = keys.key) ORDER BY position";

    private const string InsertResource =
        "INSERT INTO dav_resources (path, parent, is_collection, owner, size, content_type, etag, created_at, modified_at, blob_key, jidlist_set) "
        + "VALUES (@path, @parent, @is_collection, @owner, @size, @content_type, @etag, @created_at, @modified_at, @blob_key, @jidlist_set)";

    private const string InsertJid = "INSERT INTO dav_jidlist (path, jid) VALUES (@path, @jid)";

    private readonly PostgresLedger _ledger;
    private readonly ILogger _logger;

    public PostgresDavStore(PostgresLedger ledger, ILogger<PostgresDavStore> logger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(logger);
        _ledger = ledger;
        _logger = logger;
    }

    private enum RowLock
    {
        None,
        Share,
        Update,
    }

    public async Task<DavResource?> FindAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path == DavPaths.Root)
        {
            return DavResource.RootCollection;
        }

        await using var connection = await _ledger.OpenConnectionAsync(cancellationToken);
        return await FindAsync(connection, null, path, RowLock.None, cancellationToken);
    }

    public async Task<IReadOnlyList<DavResource>> ListChildrenAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        await using var connection = await _ledger.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null, $"SELECT {Columns} FROM dav_resources AS r WHERE r.parent = @parent ORDER BY r.path");
        command.Parameters.AddWithValue("parent", path);
        return await ReadResourcesAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<DavDeadProperty>> GetDeadPropertiesAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        await using var connection = await _ledger.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null,
            "SELECT ns, name, value FROM dav_properties WHERE path = @path ORDER BY ns COLLATE \"C\", name COLLATE \"C\"");
        command.Parameters.AddWithValue("path", path);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new List<DavDeadProperty>();
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new DavDeadProperty(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return result;
    }

    public async Task<long> GetUsageAsync(string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        await using var connection = await _ledger.OpenConnectionAsync(cancellationToken);
        return await UsageAsync(connection, null, owner, null, cancellationToken);
    }

    public Task<DavChange> CreateCollectionAsync(string path, string owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(owner);
        return ChangeAsync(
            async (connection, transaction, token) =>
            {
                if (path == DavPaths.Root)
                {
                    return DavChange.Of(DavOutcome.AlreadyExists);
                }

                await PostgresLedger.LockAccountRowAsync(connection, transaction, owner, token);
                var parentIsCollection = await LockAncestorsAsync(connection, transaction, path, token);
                if (await FindAsync(connection, transaction, path, RowLock.Update, token) is not null)
                {
                    return DavChange.Of(DavOutcome.AlreadyExists);
                }

                if (!parentIsCollection)
                {
                    return DavChange.Of(DavOutcome.ParentMissing);
                }

                var resource = new DavResource
                {
                    Path = path,
                    IsCollection = true,
                    Owner = owner,
                    ETag = NewETag(),
                    CreatedAt = Truncate(now),
                    ModifiedAt = Truncate(now),
                };
                await InsertAsync(connection, transaction, resource, token);
                return new DavChange(DavOutcome.Created, [], resource);
            },
            cancellationToken);
    }

    public Task<DavChange> PutFileAsync(DavPutRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ChangeAsync(
            async (connection, transaction, token) =>
            {
                if (request.Path == DavPaths.Root)
                {
                    return DavChange.Of(DavOutcome.IsCollection);
                }

                await PostgresLedger.LockAccountRowAsync(connection, transaction, request.Owner, token);
                var parentIsCollection = await LockAncestorsAsync(connection, transaction, request.Path, token);
                var existing = await FindAsync(connection, transaction, request.Path, RowLock.Update, token);
                if (existing is { IsCollection: true })
                {
                    return DavChange.Of(DavOutcome.IsCollection);
                }

                if ((request.MustNotExist && existing is not null)
                    || (request.MatchETags is { } tags && (existing is null || !(tags.Contains("*") || tags.Contains(existing.ETag)))))
                {
                    return DavChange.Of(DavOutcome.PreconditionFailed);
                }

                if (existing is null && !parentIsCollection)
                {
                    return DavChange.Of(DavOutcome.ParentMissing);
                }

                if (existing is not null && !string.Equals(existing.Owner, request.Owner, StringComparison.Ordinal))
                {
                    return DavChange.Of(DavOutcome.NotOwner);
                }

                if (request.Size > request.MaxFileSize)
                {
                    return DavChange.Of(DavOutcome.TooLarge);
                }

                // The owner's other files plus this version: the version it replaces no longer counts. The account lock
                // above makes every other change that adds to this owner's files wait, so the sum cannot grow meanwhile.
                var usage = await UsageAsync(connection, transaction, request.Owner, request.Path, token);
                if (usage + request.Size > request.Quota)
                {
                    return DavChange.Of(DavOutcome.OverQuota);
                }

                var now = Truncate(request.Now);
                var resource = new DavResource
                {
                    Path = request.Path,
                    IsCollection = false,
                    Owner = request.Owner,
                    Size = request.Size,
                    ContentType = request.ContentType,
                    ETag = request.ETag,
                    CreatedAt = existing?.CreatedAt ?? now,
                    ModifiedAt = now,
                    BlobKey = request.BlobKey,
                    JidList = existing?.JidList,
                };
                if (existing is null)
                {
                    await InsertAsync(connection, transaction, resource, token);
                    return new DavChange(DavOutcome.Created, [], resource);
                }

                await using (var update = Command(connection, transaction,
                    "UPDATE dav_resources SET size = @size, content_type = @content_type, etag = @etag, modified_at = @modified_at, blob_key = @blob_key "
                    + "WHERE path = @path"))
                {
                    update.Parameters.AddWithValue("size", resource.Size);
                    update.Parameters.AddWithValue("content_type", NpgsqlDbType.Text, (object?)resource.ContentType ?? DBNull.Value);
                    update.Parameters.AddWithValue("etag", resource.ETag);
                    update.Parameters.AddWithValue("modified_at", resource.ModifiedAt.ToUnixTimeMilliseconds());
                    update.Parameters.AddWithValue("blob_key", resource.BlobKey);
                    update.Parameters.AddWithValue("path", resource.Path);
                    await update.ExecuteNonQueryAsync(token);
                }

                var orphaned = existing.BlobKey is { } old ? await UnreferencedAsync(connection, transaction, [old], token) : [];
                return new DavChange(DavOutcome.Replaced, orphaned, resource);
            },
            cancellationToken);
    }

    public Task<DavChange> DeleteAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ChangeAsync(
            async (connection, transaction, token) =>
            {
                await LockAncestorsAsync(connection, transaction, path, token);
                if (await FindAsync(connection, transaction, path, RowLock.Update, token) is null)
                {
                    return DavChange.Of(DavOutcome.NotFound);
                }

                var orphaned = await DeleteSubtreeAsync(connection, transaction, path, returnAll: false, token);
                return new DavChange(DavOutcome.Deleted, orphaned);
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<string>> DeleteOwnedAsync(string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return await WriteAsync<IReadOnlyList<string>>(
            async (connection, transaction, token) =>
            {
                await PostgresLedger.LockAccountRowAsync(connection, transaction, owner, token);

                // The collections first: a change below one of them holds it FOR SHARE, so once these locks are granted
                // every member anyone added is committed and visible to the emptiness checks below.
                await using (var lockCollections = Command(connection, transaction,
                    "SELECT path FROM dav_resources WHERE owner = @owner AND is_collection ORDER BY path FOR UPDATE"))
                {
                    lockCollections.Parameters.AddWithValue("owner", owner);
                    await lockCollections.ExecuteNonQueryAsync(token);
                }

                var keys = new List<string>();
                await using (var delete = Command(connection, transaction,
                    "DELETE FROM dav_resources WHERE owner = @owner AND NOT is_collection RETURNING blob_key"))
                {
                    delete.Parameters.AddWithValue("owner", owner);
                    await using var reader = await delete.ExecuteReaderAsync(token);
                    while (await reader.ReadAsync(token))
                    {
                        if (!reader.IsDBNull(0))
                        {
                            keys.Add(reader.GetString(0));
                        }
                    }
                }

                // Empty collections go deepest first: each pass removes the ones whose members are all gone.
                int removed;
                do
                {
                    await using var command = Command(connection, transaction,
                        "DELETE FROM dav_resources AS c WHERE c.owner = @owner AND c.is_collection "
                        + "AND NOT EXISTS (SELECT 1 FROM dav_resources AS member WHERE member.parent = c.path)");
                    command.Parameters.AddWithValue("owner", owner);
                    removed = await command.ExecuteNonQueryAsync(token);
                }
                while (removed > 0);

                return await UnreferencedAsync(connection, transaction, keys, token);
            },
            _ => true,
            cancellationToken);
    }

    public Task<DavChange> CopyAsync(DavTransferRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ChangeAsync(
            async (connection, transaction, token) =>
            {
                var (destinationParentIsCollection, existing) = await LockTransferAsync(connection, transaction, request, token);

                // Read and locked in one statement: the rows copied are exactly the rows held, so none of their blobs can
                // be replaced or deleted (and reported orphaned) before the copies that share them commit.
                var copied = request.Source == DavPaths.Root
                    ? []
                    : await SubtreeAsync(connection, transaction, request.Source, request.Recursive, RowLock.Share, token);
                var source = copied.FirstOrDefault(r => r.Path == request.Source);
                if (Refuse(source, destinationParentIsCollection, existing, request) is { } refused)
                {
                    return DavChange.Of(refused);
                }

                var orphaned = existing is null ? [] : await DeleteSubtreeAsync(connection, transaction, existing.Path, returnAll: true, token);

                // Blobs never change once written, so a copy shares them; a blob is deleted only when no row names it.
                var bytes = copied.Where(r => !r.IsCollection).Sum(r => r.Size);
                var usage = await UsageAsync(connection, transaction, request.Requester, null, token);
                if (usage + bytes > request.Quota)
                {
                    // A refusal rolls back, the overwrite's delete with it.
                    return DavChange.Of(DavOutcome.OverQuota);
                }

                var now = Truncate(request.Now);
                foreach (var row in copied)
                {
                    var target = DavPaths.Rebase(row.Path, source!.Path, request.Destination);

                    // The copier owns the copy; a jidlist is an owner's decision and follows only the owner's own copies.
                    var keepList = string.Equals(row.Owner, request.Requester, StringComparison.Ordinal);
                    await InsertAsync(connection, transaction, row with
                    {
                        Path = target,
                        Owner = request.Requester,
                        ETag = row.IsCollection ? NewETag() : row.ETag,
                        CreatedAt = now,
                        ModifiedAt = now,
                        JidList = keepList ? row.JidList : null,
                    }, token);
                    await using var properties = Command(connection, transaction,
                        "INSERT INTO dav_properties (path, ns, name, value) SELECT @target, ns, name, value FROM dav_properties WHERE path = @path");
                    properties.Parameters.AddWithValue("target", target);
                    properties.Parameters.AddWithValue("path", row.Path);
                    await properties.ExecuteNonQueryAsync(token);
                }

                return new DavChange(existing is null ? DavOutcome.Created : DavOutcome.Replaced, await UnreferencedAsync(connection, transaction, orphaned, token));
            },
            cancellationToken);
    }

    public Task<DavChange> MoveAsync(DavTransferRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ChangeAsync(
            async (connection, transaction, token) =>
            {
                var (destinationParentIsCollection, existing) = await LockTransferAsync(connection, transaction, request, token);

                // The source's own row FOR UPDATE: changes below it hold it FOR SHARE, so the move waits for them and its
                // subtree statement sees their rows; changes that come later find it moved.
                var source = request.Source == DavPaths.Root
                    ? null
                    : await FindAsync(connection, transaction, request.Source, RowLock.Update, token);
                if (Refuse(source, destinationParentIsCollection, existing, request) is { } refused)
                {
                    return DavChange.Of(refused);
                }

                if (!string.Equals(source!.Owner, request.Requester, StringComparison.Ordinal))
                {
                    return DavChange.Of(DavOutcome.NotOwner);
                }

                var orphaned = existing is null ? [] : await DeleteSubtreeAsync(connection, transaction, existing.Path, returnAll: true, token);

                // Properties and jidlists follow by ON UPDATE CASCADE. The destination range is empty (the overwrite
                // deleted it and it cannot overlap the source), so no row collides on the way. char_length counts
                // characters as substr does (a path's .NET Length counts UTF-16 units, two for an emoji).
                await using (var move = Command(connection, transaction,
                    "UPDATE dav_resources SET path = @destination || substr(path, char_length(@path) + 1), "
                    + "parent = CASE WHEN path = @path THEN @destination_parent ELSE @destination || substr(parent, char_length(@path) + 1) END "
                    + $"WHERE {SubtreeCondition}"))
                {
                    move.Parameters.AddWithValue("destination", request.Destination);
                    move.Parameters.AddWithValue("destination_parent", DavPaths.Parent(request.Destination));
                    move.Parameters.AddWithValue("path", source.Path);
                    await move.ExecuteNonQueryAsync(token);
                }

                return new DavChange(existing is null ? DavOutcome.Created : DavOutcome.Replaced, await UnreferencedAsync(connection, transaction, orphaned, token));
            },
            cancellationToken);
    }

    public Task<bool> PatchPropertiesAsync(string path, IReadOnlyList<DavPropertyUpdate> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(updates);
        return WriteAsync(
            async (connection, transaction, token) =>
            {
                if (path == DavPaths.Root || await FindAsync(connection, transaction, path, RowLock.Update, token) is null)
                {
                    return false;
                }

                foreach (var update in updates)
                {
                    switch (update.Kind)
                    {
                        case DavPropertyUpdateKind.SetDead:
                            await ExecuteAsync(connection, transaction,
                                "INSERT INTO dav_properties (path, ns, name, value) VALUES (@path, @ns, @name, @value) "
                                + "ON CONFLICT (path, ns, name) DO UPDATE SET value = excluded.value",
                                token, ("path", path), ("ns", update.Namespace), ("name", update.Name), ("value", update.Xml ?? string.Empty));
                            break;
                        case DavPropertyUpdateKind.RemoveDead:
                            await ExecuteAsync(connection, transaction, "DELETE FROM dav_properties WHERE path = @path AND ns = @ns AND name = @name",
                                token, ("path", path), ("ns", update.Namespace), ("name", update.Name));
                            break;
                        case DavPropertyUpdateKind.SetJidList:
                            await ExecuteAsync(connection, transaction, "DELETE FROM dav_jidlist WHERE path = @path", token, ("path", path));
                            foreach (var jid in (update.Jids ?? []).Distinct(StringComparer.Ordinal))
                            {
                                await ExecuteAsync(connection, transaction, InsertJid, token, ("path", path), ("jid", jid));
                            }

                            await ExecuteAsync(connection, transaction, "UPDATE dav_resources SET jidlist_set = true WHERE path = @path", token, ("path", path));
                            break;
                        case DavPropertyUpdateKind.RemoveJidList:
                            await ExecuteAsync(connection, transaction, "DELETE FROM dav_jidlist WHERE path = @path", token, ("path", path));
                            await ExecuteAsync(connection, transaction, "UPDATE dav_resources SET jidlist_set = false WHERE path = @path", token, ("path", path));
                            break;
                        default:
                            throw new InvalidOperationException($"Unknown {nameof(DavPropertyUpdateKind)} {update.Kind}.");
                    }
                }

                return true;
            },
            _ => true,
            cancellationToken);
    }

    /// <summary>
    /// The locks COPY and MOVE take before they read the source, in one order for both: the requester's account row
    /// (which serialises the account's decisions across nodes), the destination's ancestors, the destination itself
    /// FOR UPDATE, then the source's ancestors. Returns
    /// whether the destination's parent is a collection, and the resource the destination names now, if any.
    /// </summary>
    private static async Task<(bool DestinationParentIsCollection, DavResource? Existing)> LockTransferAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        DavTransferRequest request,
        CancellationToken cancellationToken)
    {
        await PostgresLedger.LockAccountRowAsync(connection, transaction, request.Requester, cancellationToken);
        var destinationParentIsCollection = await LockAncestorsAsync(connection, transaction, request.Destination, cancellationToken);
        var existing = await FindAsync(connection, transaction, request.Destination, RowLock.Update, cancellationToken);
        await LockAncestorsAsync(connection, transaction, request.Source, cancellationToken);
        return (destinationParentIsCollection, existing);
    }

    /// <summary>
    /// The refusals COPY and MOVE share (RFC 4918 sections 9.8.5 and 9.9.4), in the order SQLite's store gives them:
    /// no source, no destination collection, an existing destination without Overwrite: T, or one the requester does not own.
    /// </summary>
    private static DavOutcome? Refuse(DavResource? source, bool destinationParentIsCollection, DavResource? existing, DavTransferRequest request)
    {
        if (source is null)
        {
            return DavOutcome.NotFound;
        }

        if (!destinationParentIsCollection)
        {
            return DavOutcome.ParentMissing;
        }

        if (existing is null)
        {
            return null;
        }

        if (!request.Overwrite)
        {
            return DavOutcome.PreconditionFailed;
        }

        // Section 9.8.4/9.9.3: an overwrite deletes the destination first (Overwrite: T); only its owner may.
        return string.Equals(existing.Owner, request.Requester, StringComparison.Ordinal) ? null : DavOutcome.NotOwner;
    }

    /// <summary>
    /// Locks the ancestors of <paramref name="path"/> (below the root, which is never stored) FOR SHARE, top down, and
    /// says whether its parent is a collection. Rows deleted or moved by a change that held them first are not returned.
    /// </summary>
    private static async Task<bool> LockAncestorsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string path, CancellationToken cancellationToken)
    {
        var ancestors = new List<string>();
        for (var parent = DavPaths.Parent(path); parent != DavPaths.Root; parent = DavPaths.Parent(parent))
        {
            ancestors.Add(parent);
        }

        if (ancestors.Count == 0)
        {
            return true;
        }

        await using var command = Command(connection, transaction, LockAncestors);
        command.Parameters.AddWithValue("paths", ancestors.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var parentIsCollection = false;
        while (await reader.ReadAsync(cancellationToken))
        {
            if (reader.GetString(0) == ancestors[0])
            {
                parentIsCollection = reader.GetBoolean(1);
            }
        }

        return parentIsCollection;
    }

    private static async Task<IReadOnlyList<string>> DeleteSubtreeAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string path,
        bool returnAll,
        CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await using (var delete = Command(connection, transaction, $"DELETE FROM dav_resources WHERE {SubtreeCondition} RETURNING blob_key"))
        {
            delete.Parameters.AddWithValue("path", path);
            await using var reader = await delete.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (!reader.IsDBNull(0))
                {
                    keys.Add(reader.GetString(0));
                }
            }
        }

        // A copy may still share a key; the caller of an overwrite re-checks after its own inserts.
        return returnAll ? keys : await UnreferencedAsync(connection, transaction, keys, cancellationToken);
    }

    private static async Task<IReadOnlyList<string>> UnreferencedAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        IReadOnlyList<string> keys,
        CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        await using var command = Command(connection, transaction, SelectUnreferenced);
        command.Parameters.AddWithValue("keys", keys.Distinct(StringComparer.Ordinal).ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(reader.GetString(0));
        }

        return result;
    }

    private static async Task<List<DavResource>> SubtreeAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string path,
        bool recursive,
        RowLock rowLock,
        CancellationToken cancellationToken)
    {
        // ORDER BY before the lock: rows are locked top down, as every other change locks ancestors.
        await using var command = Command(connection, transaction,
            $"SELECT {Columns} FROM dav_resources AS r WHERE {(recursive ? SubtreeCondition : "path = @path")} ORDER BY r.path{LockClause(rowLock)}");
        command.Parameters.AddWithValue("path", path);
        return await ReadResourcesAsync(command, cancellationToken);
    }

    private static async Task<long> UsageAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        string owner,
        string? exceptPath,
        CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, SelectUsage);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("except", NpgsqlDbType.Text, (object?)exceptPath ?? DBNull.Value);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<DavResource?> FindAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        string path,
        RowLock rowLock,
        CancellationToken cancellationToken)
    {
        if (path == DavPaths.Root)
        {
            return DavResource.RootCollection;
        }

        await using var command = Command(connection, transaction, $"SELECT {Columns} FROM dav_resources AS r WHERE r.path = @path{LockClause(rowLock)}");
        command.Parameters.AddWithValue("path", path);
        var rows = await ReadResourcesAsync(command, cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    private static string LockClause(RowLock rowLock) => rowLock switch
    {
        RowLock.Share => " FOR SHARE OF r",
        RowLock.Update => " FOR UPDATE OF r",
        _ => string.Empty,
    };

    private static async Task<List<DavResource>> ReadResourcesAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var result = new List<DavResource>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new DavResource
            {
                Path = reader.GetString(0),
                IsCollection = reader.GetBoolean(1),
                Owner = reader.GetString(2),
                Size = reader.GetInt64(3),
                ContentType = reader.IsDBNull(4) ? null : reader.GetString(4),
                ETag = reader.GetString(5),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                ModifiedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                BlobKey = reader.IsDBNull(8) ? null : reader.GetString(8),
                JidList = reader.IsDBNull(9) ? null : reader.GetFieldValue<string[]>(9),
            });
        }

        return result;
    }

    private static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DavResource resource, CancellationToken cancellationToken)
    {
        await using (var command = Command(connection, transaction, InsertResource))
        {
            command.Parameters.AddWithValue("path", resource.Path);
            command.Parameters.AddWithValue("parent", DavPaths.Parent(resource.Path));
            command.Parameters.AddWithValue("is_collection", resource.IsCollection);
            command.Parameters.AddWithValue("owner", resource.Owner);
            command.Parameters.AddWithValue("size", resource.Size);
            command.Parameters.AddWithValue("content_type", NpgsqlDbType.Text, (object?)resource.ContentType ?? DBNull.Value);
            command.Parameters.AddWithValue("etag", resource.ETag);
            command.Parameters.AddWithValue("created_at", resource.CreatedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("modified_at", resource.ModifiedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("blob_key", NpgsqlDbType.Text, (object?)resource.BlobKey ?? DBNull.Value);
            command.Parameters.AddWithValue("jidlist_set", resource.JidList is not null);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var jid in resource.JidList ?? [])
        {
            await ExecuteAsync(connection, transaction, InsertJid, cancellationToken, ("path", resource.Path), ("jid", jid));
        }
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string sql,
        CancellationToken cancellationToken,
        params (string Name, string Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>getlastmodified and Last-Modified have whole seconds; storing them so keeps both and the ETag consistent.</summary>
    private static DateTimeOffset Truncate(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static string NewETag() => RandomNumberGenerator.GetHexString(24, lowercase: true);

    private static bool Succeeded(DavChange change) =>
        change.Outcome is DavOutcome.Created or DavOutcome.Replaced or DavOutcome.Deleted;

    private static bool IsConflict(PostgresException exception) =>
        exception.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.UniqueViolation;

    /// <summary>A change to the tree: committed when it succeeded, rolled back (with any delete it made) when refused.</summary>
    private Task<DavChange> ChangeAsync(
        Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<DavChange>> work,
        CancellationToken cancellationToken) =>
        WriteAsync(work, Succeeded, cancellationToken);

    private async Task<T> WriteAsync<T>(
        Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<T>> work,
        Func<T, bool> commit,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await _ledger.OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
                var result = await work(connection, transaction, cancellationToken);
                if (commit(result))
                {
                    await transaction.CommitAsync(cancellationToken);
                }
                else
                {
                    await transaction.RollbackAsync(cancellationToken);
                }

                return result;
            }
            catch (PostgresException exception) when (attempt < MaxAttempts && IsConflict(exception))
            {
                // Both changes were valid alone; PostgreSQL chose this one to give way. Run it again on what the other did.
                PostgresDavLog.DavChangeRetried(_logger, exception.SqlState, attempt + 1);
            }
        }
    }
}
