namespace XmppUpload.Storage.Postgres;

/// <summary>
/// The PostgreSQL ledger's schema as an ordered list of migrations. <c>schema_migrations</c> holds one row per applied
/// version; a migration is never edited once released, a change is a new entry at the end.
/// </summary>
/// <remarks>
/// Times are <c>bigint</c> Unix milliseconds (UTC), as in the SQLite ledger: both ledgers round a time down to the same
/// millisecond, so a slot reads back identical whichever ledger holds it, and deadlines compare as plain numbers in the
/// indexes. Purposes and states are their lower-case names. Text compared by range (WebDAV paths) uses the "C"
/// collation, so a subtree is a byte range whatever the database's default collation is.
/// </remarks>
internal static class PostgresSchema
{
    /// <summary>Created before any migration is read, inside the migration lock.</summary>
    public const string CreateVersionTable =
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        + "version integer NOT NULL PRIMARY KEY, "
        + "applied_at timestamptz NOT NULL DEFAULT now())";

    public const string SelectVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";

    public const string InsertVersion = "INSERT INTO schema_migrations (version) VALUES (@version)";

    public static IReadOnlyList<Migration> Migrations { get; } =
    [
        // accounts has one row per owner that ever requested a slot: the row a slot request locks (SELECT ... FOR
        // UPDATE) so that the quota and rate-window decision of one account is serialised across every node.
        // slots.claimed_until is the sweeper's lease on a Deleted row between ClaimDeleted and RemoveDeleted, so that
        // two nodes do not delete the same blobs. slots.upload_node is the node streaming an Uploading slot, so that a
        // restarting node returns only its own interrupted uploads to Pending.
        new(1, """
            CREATE TABLE accounts (
                owner text NOT NULL PRIMARY KEY
            );

            CREATE TABLE slots (
                id            text    NOT NULL PRIMARY KEY,
                owner         text    NOT NULL,
                file_name     text    NOT NULL,
                size          bigint  NOT NULL CHECK (size >= 0),
                content_type  text,
                purpose       text    NOT NULL CHECK (purpose IN ('message', 'profile', 'ephemeral', 'permanent')),
                created_at    bigint  NOT NULL,
                put_deadline  bigint  NOT NULL,
                expires_at    bigint,
                state         text    NOT NULL CHECK (state IN ('pending', 'uploading', 'stored', 'deleted')),
                stored_at     bigint,
                upload_node   text,
                claimed_until bigint
            );

            CREATE INDEX slots_owner_purpose_state ON slots (owner, purpose, state);
            CREATE INDEX slots_state_put_deadline ON slots (state, put_deadline);
            CREATE INDEX slots_state_expires_at ON slots (state, expires_at, size);

            CREATE TABLE slot_requests (
                id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                owner text   NOT NULL,
                at    bigint NOT NULL
            );

            CREATE INDEX slot_requests_owner_at ON slot_requests (owner, at);
            CREATE INDEX slot_requests_at ON slot_requests (at);

            CREATE TABLE signing_keys (
                id         text   NOT NULL PRIMARY KEY,
                secret     bytea  NOT NULL,
                created_at bigint NOT NULL
            );

            CREATE TABLE dav_resources (
                path          text COLLATE "C" NOT NULL PRIMARY KEY,
                parent        text COLLATE "C" NOT NULL,
                is_collection boolean NOT NULL,
                owner         text    NOT NULL,
                size          bigint  NOT NULL CHECK (size >= 0),
                content_type  text,
                etag          text    NOT NULL,
                created_at    bigint  NOT NULL,
                modified_at   bigint  NOT NULL,
                blob_key      text,
                jidlist_set   boolean NOT NULL DEFAULT false
            );

            CREATE INDEX dav_resources_parent ON dav_resources (parent);
            CREATE INDEX dav_resources_owner ON dav_resources (owner, is_collection, size);
            CREATE INDEX dav_resources_blob_key ON dav_resources (blob_key);

            CREATE TABLE dav_properties (
                path  text COLLATE "C" NOT NULL REFERENCES dav_resources (path) ON UPDATE CASCADE ON DELETE CASCADE,
                ns    text NOT NULL,
                name  text NOT NULL,
                value text NOT NULL,
                PRIMARY KEY (path, ns, name)
            );

            CREATE TABLE dav_jidlist (
                path text COLLATE "C" NOT NULL REFERENCES dav_resources (path) ON UPDATE CASCADE ON DELETE CASCADE,
                jid  text NOT NULL,
                PRIMARY KEY (path, jid)
            );
            """),

        // Cluster rules (SQLite has the same in its migration 4). An Uploading slot names the attempt that holds it
        // and until when: the PUT renews that lease while bytes arrive, and a retry of the same slot on any node may
        // take over an attempt whose lease lapsed (its node died), while a late commit of the old attempt is refused.
        // A signing key signs only from activates_at on (a rotated key is first loaded by every node, then used) and
        // verifies until retires_at (null while it is the newest). cluster_secrets holds named secrets every node
        // shares (the WebDAV Digest nonce key). dav_nonce_counts and dav_confirmations are the WebDAV Digest replay
        // guard and the XEP-0070 answers, shared so that a balancer may send each request of a client to another
        // node; a transaction id is a password, so only its SHA-256 is kept.
        new(2, """
            ALTER TABLE slots ADD COLUMN upload_attempt text, ADD COLUMN upload_lease_until bigint;

            ALTER TABLE signing_keys ADD COLUMN activates_at bigint, ADD COLUMN retires_at bigint;
            UPDATE signing_keys SET activates_at = created_at;
            ALTER TABLE signing_keys ALTER COLUMN activates_at SET NOT NULL;

            CREATE TABLE cluster_secrets (
                name       text   NOT NULL PRIMARY KEY,
                secret     bytea  NOT NULL,
                created_at bigint NOT NULL
            );

            CREATE TABLE dav_nonce_counts (
                nonce       text   NOT NULL,
                nonce_count bigint NOT NULL,
                expires_at  bigint NOT NULL,
                PRIMARY KEY (nonce, nonce_count)
            );

            CREATE INDEX dav_nonce_counts_expires_at ON dav_nonce_counts (expires_at);

            CREATE TABLE dav_confirmations (
                jid              text    NOT NULL,
                transaction_hash bytea   NOT NULL,
                confirmed        boolean NOT NULL,
                answered_at      bigint  NOT NULL,
                expires_at       bigint  NOT NULL,
                PRIMARY KEY (jid, transaction_hash)
            );

            CREATE INDEX dav_confirmations_expires_at ON dav_confirmations (expires_at);
            """),

        // Every slot request sums the account's live rows of one bucket: with the sizes and times in the index, an
        // index-only scan can answer it.
        new(3, """
            CREATE INDEX slots_owner_bucket ON slots (owner, purpose, state) INCLUDE (size, expires_at, put_deadline);
            DROP INDEX slots_owner_purpose_state;
            """),

        // Running totals per account and bucket (SQLite has the same in its migration 6): a slot request reads one row
        // instead of summing the bucket's live rows, and subtracts the few rows the totals still count past their
        // expiry or deadline (found through the two indexes below). Statement triggers with transition tables keep
        // them: one change per bucket a statement touches (the sweeper changes many rows at once), applied in
        // (owner, purpose) order so that two nodes' statements lock the totals rows in the same order and cannot
        // deadlock on them. The update trigger fires for every UPDATE of slots (a column list is not allowed with
        // transition tables); a lease renewal changes no state and so no total. A row goes when its bucket is empty.
        new(4, """
            CREATE TABLE bucket_totals (
                owner           text   NOT NULL,
                purpose         text   NOT NULL,
                stored_bytes    bigint NOT NULL,
                pending_bytes   bigint NOT NULL,
                uploading_bytes bigint NOT NULL,
                PRIMARY KEY (owner, purpose)
            );

            INSERT INTO bucket_totals (owner, purpose, stored_bytes, pending_bytes, uploading_bytes)
                SELECT owner, purpose,
                       COALESCE(SUM(size) FILTER (WHERE state = 'stored'), 0),
                       COALESCE(SUM(size) FILTER (WHERE state = 'pending'), 0),
                       COALESCE(SUM(size) FILTER (WHERE state = 'uploading'), 0)
                FROM slots WHERE state <> 'deleted' GROUP BY owner, purpose;

            CREATE FUNCTION bucket_totals_add(change_owner text, change_purpose text, stored bigint, pending bigint, uploading bigint)
                RETURNS void LANGUAGE plpgsql AS $$
            DECLARE
                left_over record;
            BEGIN
                IF stored = 0 AND pending = 0 AND uploading = 0 THEN
                    RETURN;
                END IF;
                INSERT INTO bucket_totals AS totals (owner, purpose, stored_bytes, pending_bytes, uploading_bytes)
                    VALUES (change_owner, change_purpose, stored, pending, uploading)
                    ON CONFLICT (owner, purpose) DO UPDATE SET
                        stored_bytes = totals.stored_bytes + excluded.stored_bytes,
                        pending_bytes = totals.pending_bytes + excluded.pending_bytes,
                        uploading_bytes = totals.uploading_bytes + excluded.uploading_bytes
                    RETURNING totals.stored_bytes, totals.pending_bytes, totals.uploading_bytes INTO left_over;
                IF left_over.stored_bytes = 0 AND left_over.pending_bytes = 0 AND left_over.uploading_bytes = 0 THEN
                    DELETE FROM bucket_totals WHERE owner = change_owner AND purpose = change_purpose;
                END IF;
            END
            $$;

            -- A transition table exists only for the events that have it, so each event reads its own.
            CREATE FUNCTION slots_bucket_totals() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                change record;
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    FOR change IN
                        SELECT owner, purpose, SUM(size) FILTER (WHERE state = 'stored') AS stored,
                               SUM(size) FILTER (WHERE state = 'pending') AS pending, SUM(size) FILTER (WHERE state = 'uploading') AS uploading
                        FROM new_slots GROUP BY owner, purpose ORDER BY owner, purpose
                    LOOP
                        PERFORM bucket_totals_add(change.owner, change.purpose,
                            COALESCE(change.stored, 0)::bigint, COALESCE(change.pending, 0)::bigint, COALESCE(change.uploading, 0)::bigint);
                    END LOOP;
                ELSIF TG_OP = 'DELETE' THEN
                    FOR change IN
                        SELECT owner, purpose, SUM(size) FILTER (WHERE state = 'stored') AS stored,
                               SUM(size) FILTER (WHERE state = 'pending') AS pending, SUM(size) FILTER (WHERE state = 'uploading') AS uploading
                        FROM old_slots GROUP BY owner, purpose ORDER BY owner, purpose
                    LOOP
                        PERFORM bucket_totals_add(change.owner, change.purpose,
                            -COALESCE(change.stored, 0)::bigint, -COALESCE(change.pending, 0)::bigint, -COALESCE(change.uploading, 0)::bigint);
                    END LOOP;
                ELSE
                    FOR change IN
                        SELECT owner, purpose, SUM(sign * size) FILTER (WHERE state = 'stored') AS stored,
                               SUM(sign * size) FILTER (WHERE state = 'pending') AS pending,
                               SUM(sign * size) FILTER (WHERE state = 'uploading') AS uploading
                        FROM (SELECT owner, purpose, state, size, 1 AS sign FROM new_slots
                              UNION ALL SELECT owner, purpose, state, size, -1 AS sign FROM old_slots) changed
                        GROUP BY owner, purpose ORDER BY owner, purpose
                    LOOP
                        PERFORM bucket_totals_add(change.owner, change.purpose,
                            COALESCE(change.stored, 0)::bigint, COALESCE(change.pending, 0)::bigint, COALESCE(change.uploading, 0)::bigint);
                    END LOOP;
                END IF;
                RETURN NULL;
            END
            $$;

            CREATE TRIGGER slots_bucket_totals_insert AFTER INSERT ON slots
                REFERENCING NEW TABLE AS new_slots FOR EACH STATEMENT EXECUTE FUNCTION slots_bucket_totals();
            CREATE TRIGGER slots_bucket_totals_update AFTER UPDATE ON slots
                REFERENCING OLD TABLE AS old_slots NEW TABLE AS new_slots FOR EACH STATEMENT EXECUTE FUNCTION slots_bucket_totals();
            CREATE TRIGGER slots_bucket_totals_delete AFTER DELETE ON slots
                REFERENCING OLD TABLE AS old_slots FOR EACH STATEMENT EXECUTE FUNCTION slots_bucket_totals();

            CREATE INDEX slots_owner_bucket_expiry ON slots (owner, purpose, state, expires_at) INCLUDE (size);
            CREATE INDEX slots_owner_bucket_deadline ON slots (owner, purpose, state, put_deadline) INCLUDE (size, expires_at);
            DROP INDEX slots_owner_bucket;
            """),
    ];

    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>One step of the schema: <see cref="Sql"/> takes the database from <see cref="Version"/> - 1 to <see cref="Version"/>.</summary>
    internal readonly record struct Migration(int Version, string Sql);
}
