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
    ];

    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>One step of the schema: <see cref="Sql"/> takes the database from <see cref="Version"/> - 1 to <see cref="Version"/>.</summary>
    internal readonly record struct Migration(int Version, string Sql);
}
