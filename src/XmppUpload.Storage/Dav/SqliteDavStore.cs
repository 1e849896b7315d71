using Microsoft.Data.Sqlite;
using XmppUpload.Core.Dav;
using XmppUpload.Storage.Sqlite;

namespace XmppUpload.Storage.Dav;

/// <summary>
/// The WebDAV tree in the ledger's SQLite database (schema version 3). Each change is one <c>BEGIN IMMEDIATE</c>
/// transaction that reads what it decides on and writes the result, so preconditions, ownership and quotas are checked
/// against the state the change commits on; a refused change rolls back whatever it did. Subtrees are key ranges, so a
/// MOVE or DELETE of a collection is one statement per table inside that transaction.
/// </summary>
public sealed class SqliteDavStore : IDavStore, IDisposable
{
    private const string Columns =
        "path, is_collection, owner, size, content_type, etag, created_at, modified_at, blob_key, jidlist_set";

    private const string SubtreeCondition = "(path = $path OR (path >= $path || '/' AND path < $path || '0'))";

    private readonly SqliteLedger _ledger;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private int _disposed;

    public SqliteDavStore(SqliteLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        _ledger = ledger;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = ledger.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = 10,
        }.ToString();
    }

    public async Task<DavResource?> FindAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path == DavPaths.Root)
        {
            return DavResource.RootCollection;
        }

        await using var connection = await OpenAsync(cancellationToken);
        return await FindAsync(connection, null, path, cancellationToken);
    }

    public async Task<IReadOnlyList<DavResource>> ListChildrenAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, $"SELECT {Columns} FROM dav_resources WHERE parent = $parent ORDER BY path");
        command.Parameters.AddWithValue("$parent", path);
        var rows = await ReadResourcesAsync(command, cancellationToken);
        var result = new List<DavResource>(rows.Count);
        foreach (var row in rows)
        {
            result.Add(await WithJidListAsync(connection, null, row, cancellationToken));
        }

        return result;
    }

    public async Task<IReadOnlyList<DavDeadProperty>> GetDeadPropertiesAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT ns, name, value FROM dav_properties WHERE path = $path ORDER BY ns, name");
        command.Parameters.AddWithValue("$path", path);
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
        await using var connection = await OpenAsync(cancellationToken);
        return await UsageAsync(connection, null, owner, null, cancellationToken);
    }

    public Task<DavChange> CreateCollectionAsync(string path, string owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(owner);
        return ChangeAsync(
            async (connection, transaction, token) =>
            {
                if (path == DavPaths.Root || await FindAsync(connection, transaction, path, token) is not null)
                {
                    return DavChange.Of(DavOutcome.AlreadyExists);
                }

                if (!await IsCollectionAsync(connection, transaction, DavPaths.Parent(path), token))
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
                var existing = await FindAsync(connection, transaction, request.Path, token);
                if (existing is { IsCollection: true } || request.Path == DavPaths.Root)
                {
                    return DavChange.Of(DavOutcome.IsCollection);
                }

                if ((request.MustNotExist && existing is not null)
                    || (request.MatchETags is { } tags && (existing is null || !(tags.Contains("*") || tags.Contains(existing.ETag)))))
                {
                    return DavChange.Of(DavOutcome.PreconditionFailed);
                }

                if (existing is null && !await IsCollectionAsync(connection, transaction, DavPaths.Parent(request.Path), token))
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

                // The owner's other files plus this version: the version it replaces no longer counts.
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
                    "UPDATE dav_resources SET size = $size, content_type = $content_type, etag = $etag, modified_at = $modified_at, blob_key = $blob_key WHERE path = $path"))
                {
                    update.Parameters.AddWithValue("$size", resource.Size);
                    update.Parameters.AddWithValue("$content_type", (object?)resource.ContentType ?? DBNull.Value);
                    update.Parameters.AddWithValue("$etag", resource.ETag);
                    update.Parameters.AddWithValue("$modified_at", resource.ModifiedAt.ToUnixTimeMilliseconds());
                    update.Parameters.AddWithValue("$blob_key", resource.BlobKey);
                    update.Parameters.AddWithValue("$path", resource.Path);
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
                if (await FindAsync(connection, transaction, path, token) is null)
                {
                    return DavChange.Of(DavOutcome.NotFound);
                }

                var orphaned = await DeleteSubtreeAsync(connection, transaction, path, token);
                return new DavChange(DavOutcome.Deleted, orphaned);
            },
            cancellationToken);
    }

    public Task<IReadOnlyList<string>> DeleteOwnedAsync(string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return WriteAsync(
            async (connection, transaction, token) =>
            {
                var keys = new List<string>();
                await using (var select = Command(connection, transaction, "SELECT blob_key FROM dav_resources WHERE owner = $owner AND is_collection = 0 AND blob_key IS NOT NULL"))
                {
                    select.Parameters.AddWithValue("$owner", owner);
                    await using var reader = await select.ExecuteReaderAsync(token);
                    while (await reader.ReadAsync(token))
                    {
                        keys.Add(reader.GetString(0));
                    }
                }

                await ExecuteAsync(connection, transaction, "DELETE FROM dav_resources WHERE owner = $owner AND is_collection = 0", token, ("$owner", owner));
                // Empty collections go deepest first: each pass removes the ones whose members are all gone.
                int removed;
                do
                {
                    await using var command = Command(
                        connection,
                        transaction,
                        "DELETE FROM dav_resources WHERE owner = $owner AND is_collection = 1 "
                        + "AND NOT EXISTS (SELECT 1 FROM dav_resources AS member WHERE member.parent = dav_resources.path)");
                    command.Parameters.AddWithValue("$owner", owner);
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
                var (outcome, source, replaced, orphaned) = await PrepareTransferAsync(connection, transaction, request, token);
                if (outcome is { } refused)
                {
                    return DavChange.Of(refused);
                }

                // Blobs never change once written, so a copy shares them; a blob is deleted only when no row names it.
                var copied = await SubtreeAsync(connection, transaction, source!.Path, request.Recursive || !source.IsCollection, token);
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
                    var target = DavPaths.Rebase(row.Path, source.Path, request.Destination);
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
                        "INSERT INTO dav_properties (path, ns, name, value) SELECT $target, ns, name, value FROM dav_properties WHERE path = $path");
                    properties.Parameters.AddWithValue("$target", target);
                    properties.Parameters.AddWithValue("$path", row.Path);
                    await properties.ExecuteNonQueryAsync(token);
                }

                return new DavChange(replaced ? DavOutcome.Replaced : DavOutcome.Created, await UnreferencedAsync(connection, transaction, orphaned, token));
            },
            cancellationToken);
    }

    public Task<DavChange> MoveAsync(DavTransferRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ChangeAsync(
            async (connection, transaction, token) =>
            {
                var (outcome, source, replaced, orphaned) = await PrepareTransferAsync(connection, transaction, request, token);
                if (outcome is { } refused)
                {
                    return DavChange.Of(refused);
                }

                if (!string.Equals(source!.Owner, request.Requester, StringComparison.Ordinal))
                {
                    return DavChange.Of(DavOutcome.NotOwner);
                }

                // Properties and jidlists follow by ON UPDATE CASCADE. The destination range is empty (the overwrite
                // deleted it and it cannot overlap the source), so no intermediate row collides. length() counts
                // characters as substr() does (a path's .NET Length counts UTF-16 units, two for an emoji).
                await using (var move = Command(connection, transaction,
                    "UPDATE dav_resources SET path = $destination || substr(path, length($path) + 1), "
                    + "parent = CASE WHEN path = $path THEN $destination_parent ELSE $destination || substr(parent, length($path) + 1) END "
                    + $"WHERE {SubtreeCondition}"))
                {
                    move.Parameters.AddWithValue("$destination", request.Destination);
                    move.Parameters.AddWithValue("$destination_parent", DavPaths.Parent(request.Destination));
                    move.Parameters.AddWithValue("$path", source.Path);
                    await move.ExecuteNonQueryAsync(token);
                }

                return new DavChange(replaced ? DavOutcome.Replaced : DavOutcome.Created, await UnreferencedAsync(connection, transaction, orphaned, token));
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
                if (await FindAsync(connection, transaction, path, token) is null)
                {
                    return false;
                }

                foreach (var update in updates)
                {
                    switch (update.Kind)
                    {
                        case DavPropertyUpdateKind.SetDead:
                            await ExecuteAsync(connection, transaction,
                                "INSERT INTO dav_properties (path, ns, name, value) VALUES ($path, $ns, $name, $value) "
                                + "ON CONFLICT (path, ns, name) DO UPDATE SET value = excluded.value",
                                token, ("$path", path), ("$ns", update.Namespace), ("$name", update.Name), ("$value", update.Xml ?? string.Empty));
                            break;
                        case DavPropertyUpdateKind.RemoveDead:
                            await ExecuteAsync(connection, transaction, "DELETE FROM dav_properties WHERE path = $path AND ns = $ns AND name = $name",
                                token, ("$path", path), ("$ns", update.Namespace), ("$name", update.Name));
                            break;
                        case DavPropertyUpdateKind.SetJidList:
                            await ExecuteAsync(connection, transaction, "DELETE FROM dav_jidlist WHERE path = $path", token, ("$path", path));
                            foreach (var jid in (update.Jids ?? []).Distinct(StringComparer.Ordinal))
                            {
                                await ExecuteAsync(connection, transaction, "INSERT INTO dav_jidlist (path, jid) VALUES ($path, $jid)",
                                    token, ("$path", path), ("$jid", jid));
                            }

                            await ExecuteAsync(connection, transaction, "UPDATE dav_resources SET jidlist_set = 1 WHERE path = $path", token, ("$path", path));
                            break;
                        case DavPropertyUpdateKind.RemoveJidList:
                            await ExecuteAsync(connection, transaction, "DELETE FROM dav_jidlist WHERE path = $path", token, ("$path", path));
                            await ExecuteAsync(connection, transaction, "UPDATE dav_resources SET jidlist_set = 0 WHERE path = $path", token, ("$path", path));
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

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _writeGate.Dispose();
        }
    }

    /// <summary>
    /// The checks COPY and MOVE share (RFC 4918 sections 9.8.5 and 9.9.4), and the overwrite's delete of the
    /// destination. Returns the refusal, or the source, whether a resource was replaced, and the replaced blobs.
    /// </summary>
    private static async Task<(DavOutcome? Refusal, DavResource? Source, bool Replaced, IReadOnlyList<string> Orphaned)> PrepareTransferAsync(
        SqliteConnection connection,
        SqliteTransaction transaction,
        DavTransferRequest request,
        CancellationToken cancellationToken)
    {
        var source = await FindAsync(connection, transaction, request.Source, cancellationToken);
        if (source is null)
        {
            return (DavOutcome.NotFound, null, false, []);
        }

        if (!await IsCollectionAsync(connection, transaction, DavPaths.Parent(request.Destination), cancellationToken))
        {
            return (DavOutcome.ParentMissing, null, false, []);
        }

        var existing = await FindAsync(connection, transaction, request.Destination, cancellationToken);
        if (existing is null)
        {
            return (null, source, false, []);
        }

        if (!request.Overwrite)
        {
            return (DavOutcome.PreconditionFailed, null, false, []);
        }

        if (!string.Equals(existing.Owner, request.Requester, StringComparison.Ordinal))
        {
            return (DavOutcome.NotOwner, null, false, []);
        }

        // Section 9.8.4/9.9.3: an overwrite deletes the destination first (Overwrite: T).
        var orphaned = await DeleteSubtreeAsync(connection, transaction, existing.Path, cancellationToken, returnAll: true);
        return (null, source, true, orphaned);
    }

    private static async Task<IReadOnlyList<string>> DeleteSubtreeAsync(
        SqliteConnection connection,
        SqliteTransaction transaction,
        string path,
        CancellationToken cancellationToken,
        bool returnAll = false)
    {
        var keys = new List<string>();
        await using (var select = Command(connection, transaction, $"SELECT blob_key FROM dav_resources WHERE {SubtreeCondition} AND blob_key IS NOT NULL"))
        {
            select.Parameters.AddWithValue("$path", path);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                keys.Add(reader.GetString(0));
            }
        }

        await ExecuteAsync(connection, transaction, $"DELETE FROM dav_resources WHERE {SubtreeCondition}", cancellationToken, ("$path", path));
        // A copy may still share a key; the caller of an overwrite re-checks after its own inserts.
        return returnAll ? keys : await UnreferencedAsync(connection, transaction, keys, cancellationToken);
    }

    private static async Task<IReadOnlyList<string>> UnreferencedAsync(
        SqliteConnection connection,
        SqliteTransaction transaction,
        IReadOnlyList<string> keys,
        CancellationToken cancellationToken)
    {
        var result = new List<string>();
        foreach (var key in keys.Distinct(StringComparer.Ordinal))
        {
            await using var command = Command(connection, transaction, "SELECT EXISTS (SELECT 1 FROM dav_resources WHERE blob_key = $key)");
            command.Parameters.AddWithValue("$key", key);
            if ((long)(await command.ExecuteScalarAsync(cancellationToken))! == 0)
            {
                result.Add(key);
            }
        }

        return result;
    }

    private static async Task<List<DavResource>> SubtreeAsync(
        SqliteConnection connection,
        SqliteTransaction transaction,
        string path,
        bool recursive,
        CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction,
            $"SELECT {Columns} FROM dav_resources WHERE {(recursive ? SubtreeCondition : "path = $path")} ORDER BY path");
        command.Parameters.AddWithValue("$path", path);
        var rows = await ReadResourcesAsync(command, cancellationToken);
        var result = new List<DavResource>(rows.Count);
        foreach (var row in rows)
        {
            result.Add(await WithJidListAsync(connection, transaction, row, cancellationToken));
        }

        return result;
    }

    private static async Task<long> UsageAsync(
        SqliteConnection connection,
        SqliteTransaction? transaction,
        string owner,
        string? exceptPath,
        CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction,
            "SELECT COALESCE(SUM(size), 0) FROM dav_resources WHERE owner = $owner AND is_collection = 0 AND path IS NOT $except");
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$except", (object?)exceptPath ?? DBNull.Value);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<bool> IsCollectionAsync(SqliteConnection connection, SqliteTransaction? transaction, string path, CancellationToken cancellationToken) =>
        path == DavPaths.Root || await FindAsync(connection, transaction, path, cancellationToken) is { IsCollection: true };

    private static async Task<DavResource?> FindAsync(SqliteConnection connection, SqliteTransaction? transaction, string path, CancellationToken cancellationToken)
    {
        if (path == DavPaths.Root)
        {
            return DavResource.RootCollection;
        }

        await using var command = Command(connection, transaction, $"SELECT {Columns} FROM dav_resources WHERE path = $path");
        command.Parameters.AddWithValue("$path", path);
        var rows = await ReadResourcesAsync(command, cancellationToken);
        return rows.Count == 0 ? null : await WithJidListAsync(connection, transaction, rows[0], cancellationToken);
    }

    private static async Task<List<(DavResource Resource, bool HasJidList)>> ReadResourcesAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var result = new List<(DavResource, bool)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add((new DavResource
            {
                Path = reader.GetString(0),
                IsCollection = reader.GetInt64(1) != 0,
                Owner = reader.GetString(2),
                Size = reader.GetInt64(3),
                ContentType = reader.IsDBNull(4) ? null : reader.GetString(4),
                ETag = reader.GetString(5),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                ModifiedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                BlobKey = reader.IsDBNull(8) ? null : reader.GetString(8),
            }, reader.GetInt64(9) != 0));
        }

        return result;
    }

    private static async Task<DavResource> WithJidListAsync(
        SqliteConnection connection,
        SqliteTransaction? transaction,
        (DavResource Resource, bool HasJidList) row,
        CancellationToken cancellationToken)
    {
        if (!row.HasJidList)
        {
            return row.Resource;
        }

        await using var command = Command(connection, transaction, "SELECT jid FROM dav_jidlist WHERE path = $path ORDER BY jid");
        command.Parameters.AddWithValue("$path", row.Resource.Path);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var jids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            jids.Add(reader.GetString(0));
        }

        return row.Resource with { JidList = jids };
    }

    private static async Task InsertAsync(SqliteConnection connection, SqliteTransaction transaction, DavResource resource, CancellationToken cancellationToken)
    {
        await using (var command = Command(connection, transaction,
            "INSERT INTO dav_resources (path, parent, is_collection, owner, size, content_type, etag, created_at, modified_at, blob_key, jidlist_set) "
            + "VALUES ($path, $parent, $is_collection, $owner, $size, $content_type, $etag, $created_at, $modified_at, $blob_key, $jidlist_set)"))
        {
            command.Parameters.AddWithValue("$path", resource.Path);
            command.Parameters.AddWithValue("$parent", DavPaths.Parent(resource.Path));
            command.Parameters.AddWithValue("$is_collection", resource.IsCollection ? 1 : 0);
            command.Parameters.AddWithValue("$owner", resource.Owner);
            command.Parameters.AddWithValue("$size", resource.Size);
            command.Parameters.AddWithValue("$content_type", (object?)resource.ContentType ?? DBNull.Value);
            command.Parameters.AddWithValue("$etag", resource.ETag);
            command.Parameters.AddWithValue("$created_at", resource.CreatedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$modified_at", resource.ModifiedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$blob_key", (object?)resource.BlobKey ?? DBNull.Value);
            command.Parameters.AddWithValue("$jidlist_set", resource.JidList is null ? 0 : 1);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var jid in resource.JidList ?? [])
        {
            await ExecuteAsync(connection, transaction, "INSERT INTO dav_jidlist (path, jid) VALUES ($path, $jid)", cancellationToken,
                ("$path", resource.Path), ("$jid", jid));
        }
    }

    private static async Task ExecuteAsync(
        SqliteConnection connection,
        SqliteTransaction? transaction,
        string sql,
        CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>getlastmodified and Last-Modified have whole seconds; storing them so keeps both and the ETag consistent.</summary>
    private static DateTimeOffset Truncate(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static string NewETag() => System.Security.Cryptography.RandomNumberGenerator.GetHexString(24, lowercase: true);

    private static bool Succeeded(DavChange change) =>
        change.Outcome is DavOutcome.Created or DavOutcome.Replaced or DavOutcome.Deleted;

    /// <summary>A change to the tree: committed when it succeeded, rolled back (with any delete it made) when refused.</summary>
    private Task<DavChange> ChangeAsync(Func<SqliteConnection, SqliteTransaction, CancellationToken, Task<DavChange>> work, CancellationToken cancellationToken) =>
        WriteAsync(work, Succeeded, cancellationToken);

    private async Task<T> WriteAsync<T>(
        Func<SqliteConnection, SqliteTransaction, CancellationToken, Task<T>> work,
        Func<T, bool> commit,
        CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = connection.BeginTransaction(deferred: false);
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
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await _ledger.MigrateAsync(cancellationToken);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragmas = connection.CreateCommand();
            pragmas.CommandText = "PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
