namespace XmppUpload.Storage.Sqlite;

/// <summary>
/// The ledger's schema as an ordered list of migrations. <c>PRAGMA user_version</c> records the last one applied;
/// a migration is never edited once released, a change is a new entry at the end.
/// </summary>
/// <remarks>
/// Times are INTEGER Unix milliseconds (UTC) everywhere, so that range scans by deadline use the indexes and compare
/// as numbers. Purposes and states are their lower-case names, readable by an operator with the sqlite3 shell.
/// </remarks>
internal static class SqliteSchema
{
    public static IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, """
            CREATE TABLE slots (
                id           TEXT    NOT NULL PRIMARY KEY,
                owner        TEXT    NOT NULL,
                file_name    TEXT    NOT NULL,
                size         INTEGER NOT NULL CHECK (size >= 0),
                content_type TEXT,
                purpose      TEXT    NOT NULL CHECK (purpose IN ('message', 'profile', 'ephemeral', 'permanent')),
                created_at   INTEGER NOT NULL,
                put_deadline INTEGER NOT NULL,
                expires_at   INTEGER,
                state        TEXT    NOT NULL CHECK (state IN ('pending', 'uploading', 'stored', 'deleted')),
                stored_at    INTEGER
            ) STRICT;

            CREATE INDEX slots_owner ON slots (owner);
            CREATE INDEX slots_state_put_deadline ON slots (state, put_deadline);
            CREATE INDEX slots_expires_at ON slots (expires_at);

            CREATE TABLE signing_keys (
                id         TEXT    NOT NULL PRIMARY KEY,
                secret     BLOB    NOT NULL,
                created_at INTEGER NOT NULL
            ) STRICT;
            """),

        // Accounts (quotas, rate windows) and retention. The per-account queries of a slot request read one owner's
        // rows of one purpose by state; the sweeper and the global quota scan by state and time. slots_owner is a
        // prefix of the new owner index and slots_expires_at is superseded by (state, expires_at, size), which also
        // covers the global sum of stored bytes.
        // slot_requests keeps one row per granted request, apart from the slot: deleting a file must not give back
        // rate-window budget, and the sweeper removes the rows of deleted slots. Slots of the last day (the longest
        // window the ledger keeps requests for) are backfilled, so an upgrade does not reset anyone's window.
        new(2, """
            DROP INDEX slots_owner;
            DROP INDEX slots_expires_at;
            CREATE INDEX slots_owner_purpose_state ON slots (owner, purpose, state);
            CREATE INDEX slots_state_expires_at ON slots (state, expires_at, size);

            CREATE TABLE slot_requests (
                owner TEXT    NOT NULL,
                at    INTEGER NOT NULL
            ) STRICT;

            CREATE INDEX slot_requests_owner_at ON slot_requests (owner, at);
            CREATE INDEX slot_requests_at ON slot_requests (at);

            INSERT INTO slot_requests (owner, at)
                SELECT owner, created_at FROM slots WHERE created_at > (CAST(strftime('%s', 'now') AS INTEGER) - 86400) * 1000;
            """),

        // XEP-0129 WebDAV tree (see Dav/SqliteDavStore.cs). Paths are normalised (/a/b); a subtree is the range
        // [path || '/', path || '0'), which the primary key serves. Properties and jidlists follow their resource
        // through moves and deletes by ON UPDATE/DELETE CASCADE. jidlist_set tells "no list yet" from an empty list.
        new(3, """
            CREATE TABLE dav_resources (
                path          TEXT    NOT NULL PRIMARY KEY,
                parent        TEXT    NOT NULL,
                is_collection INTEGER NOT NULL CHECK (is_collection IN (0, 1)),
                owner         TEXT    NOT NULL,
                size          INTEGER NOT NULL CHECK (size >= 0),
                content_type  TEXT,
                etag          TEXT    NOT NULL,
                created_at    INTEGER NOT NULL,
                modified_at   INTEGER NOT NULL,
                blob_key      TEXT,
                jidlist_set   INTEGER NOT NULL DEFAULT 0 CHECK (jidlist_set IN (0, 1))
            ) STRICT;

            CREATE INDEX dav_resources_parent ON dav_resources (parent);
            CREATE INDEX dav_resources_owner ON dav_resources (owner, is_collection, size);
            CREATE INDEX dav_resources_blob_key ON dav_resources (blob_key);

            CREATE TABLE dav_properties (
                path  TEXT NOT NULL REFERENCES dav_resources (path) ON UPDATE CASCADE ON DELETE CASCADE,
                ns    TEXT NOT NULL,
                name  TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (path, ns, name)
            ) STRICT;

            CREATE TABLE dav_jidlist (
                path TEXT NOT NULL REFERENCES dav_resources (path) ON UPDATE CASCADE ON DELETE CASCADE,
                jid  TEXT NOT NULL,
                PRIMARY KEY (path, jid)
            ) STRICT;
            """),

        // Cluster-wide rules shared with the PostgreSQL ledger (its migration 2). An Uploading slot names the attempt
        // that holds it and until when: the PUT renews that lease while bytes arrive, and a retry of the same slot may
        // take over an attempt whose lease lapsed (its process died), while a late commit of the old attempt is
        // refused. A signing key signs only from activates_at on (a rotated key is first loaded by every node, then
        // used), and verifies until retires_at (null while it is the newest). cluster_secrets holds named secrets
        // that every process of the ledger must share (the WebDAV Digest nonce key).
        new(4, """
            ALTER TABLE slots ADD COLUMN upload_attempt TEXT;
            ALTER TABLE slots ADD COLUMN upload_lease_until INTEGER;

            ALTER TABLE signing_keys ADD COLUMN activates_at INTEGER;
            ALTER TABLE signing_keys ADD COLUMN retires_at INTEGER;
            UPDATE signing_keys SET activates_at = created_at;

            CREATE TABLE cluster_secrets (
                name       TEXT    NOT NULL PRIMARY KEY,
                secret     BLOB    NOT NULL,
                created_at INTEGER NOT NULL
            ) STRICT;
            """),

        // Every slot request sums the account's live rows of one bucket (stored and reserved bytes, the next expiry
        // and deadline): with the sizes and times in the index, that is a scan of the index alone, not a lookup of
        // each row in the table.
        new(5, """
            CREATE INDEX slots_owner_bucket ON slots (owner, purpose, state, size, expires_at, put_deadline);
            DROP INDEX slots_owner_purpose_state;
            """),

        // Running totals per account and bucket, so that a slot request reads one row instead of summing the bucket's
        // live rows (a number that grows with every open reservation). The triggers keep them whatever writes a slot
        // (a request, a PUT, a deletion, the sweeper, an operator's command); a row goes when its bucket holds nothing.
        // They count by state alone: a stored file past its expiry or a pending slot past its deadline stays in them
        // until the sweeper changes it, and the request subtracts those few rows, found through the two indexes below
        // (by expiry among stored rows, by deadline among pending ones), which also give the next expiry and lapse.
        // slots.claimed_at is when the sweeper last took a Deleted row to remove its blob: a write, so that its durable
        // commit also makes durable the grants (committed without a sync) that evicted those files, before any blob goes.
        new(6, """
            ALTER TABLE slots ADD COLUMN claimed_at INTEGER;

            CREATE TABLE bucket_totals (
                owner           TEXT    NOT NULL,
                purpose         TEXT    NOT NULL,
                stored_bytes    INTEGER NOT NULL,
                pending_bytes   INTEGER NOT NULL,
                uploading_bytes INTEGER NOT NULL,
                PRIMARY KEY (owner, purpose)
            ) STRICT, WITHOUT ROWID;

            INSERT INTO bucket_totals (owner, purpose, stored_bytes, pending_bytes, uploading_bytes)
                SELECT owner, purpose,
                       SUM(iif(state = 'stored', size, 0)), SUM(iif(state = 'pending', size, 0)), SUM(iif(state = 'uploading', size, 0))
                FROM slots WHERE state <> 'deleted' GROUP BY owner, purpose;

            CREATE TRIGGER slots_bucket_totals_insert AFTER INSERT ON slots WHEN NEW.state <> 'deleted'
            BEGIN
                INSERT INTO bucket_totals (owner, purpose, stored_bytes, pending_bytes, uploading_bytes)
                    VALUES (NEW.owner, NEW.purpose,
                            iif(NEW.state = 'stored', NEW.size, 0), iif(NEW.state = 'pending', NEW.size, 0), iif(NEW.state = 'uploading', NEW.size, 0))
                    ON CONFLICT (owner, purpose) DO UPDATE SET
                        stored_bytes = stored_bytes + excluded.stored_bytes,
                        pending_bytes = pending_bytes + excluded.pending_bytes,
                        uploading_bytes = uploading_bytes + excluded.uploading_bytes;
            END;

            CREATE TRIGGER slots_bucket_totals_update AFTER UPDATE OF owner, purpose, size, state ON slots
                WHEN OLD.owner IS NOT NEW.owner OR OLD.purpose IS NOT NEW.purpose OR OLD.size IS NOT NEW.size OR OLD.state IS NOT NEW.state
            BEGIN
                UPDATE bucket_totals SET
                        stored_bytes = stored_bytes - iif(OLD.state = 'stored', OLD.size, 0),
                        pending_bytes = pending_bytes - iif(OLD.state = 'pending', OLD.size, 0),
                        uploading_bytes = uploading_bytes - iif(OLD.state = 'uploading', OLD.size, 0)
                    WHERE owner = OLD.owner AND purpose = OLD.purpose;
                INSERT INTO bucket_totals (owner, purpose, stored_bytes, pending_bytes, uploading_bytes)
                    SELECT NEW.owner, NEW.purpose,
                           iif(NEW.state = 'stored', NEW.size, 0), iif(NEW.state = 'pending', NEW.size, 0), iif(NEW.state = 'uploading', NEW.size, 0)
                    WHERE NEW.state <> 'deleted'
                    ON CONFLICT (owner, purpose) DO UPDATE SET
                        stored_bytes = stored_bytes + excluded.stored_bytes,
                        pending_bytes = pending_bytes + excluded.pending_bytes,
                        uploading_bytes = uploading_bytes + excluded.uploading_bytes;
                DELETE FROM bucket_totals
                    WHERE owner = OLD.owner AND purpose = OLD.purpose AND stored_bytes = 0 AND pending_bytes = 0 AND uploading_bytes = 0;
            END;

            CREATE TRIGGER slots_bucket_totals_delete AFTER DELETE ON slots WHEN OLD.state <> 'deleted'
            BEGIN
                UPDATE bucket_totals SET
                        stored_bytes = stored_bytes - iif(OLD.state = 'stored', OLD.size, 0),
                        pending_bytes = pending_bytes - iif(OLD.state = 'pending', OLD.size, 0),
                        uploading_bytes = uploading_bytes - iif(OLD.state = 'uploading', OLD.size, 0)
                    WHERE owner = OLD.owner AND purpose = OLD.purpose;
                DELETE FROM bucket_totals
                    WHERE owner = OLD.owner AND purpose = OLD.purpose AND stored_bytes = 0 AND pending_bytes = 0 AND uploading_bytes = 0;
            END;

            CREATE INDEX slots_owner_bucket_expiry ON slots (owner, purpose, state, expires_at, size);
            CREATE INDEX slots_owner_bucket_deadline ON slots (owner, purpose, state, put_deadline, size, expires_at);
            DROP INDEX slots_owner_bucket;
            """),
    ];

    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>One step of the schema: <see cref="Sql"/> takes the database from <see cref="Version"/> - 1 to <see cref="Version"/>.</summary>
    internal readonly record struct Migration(int Version, string Sql);
}
