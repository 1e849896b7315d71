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
    ];

    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>One step of the schema: <see cref="Sql"/> takes the database from <see cref="Version"/> - 1 to <see cref="Version"/>.</summary>
    internal readonly record struct Migration(int Version, string Sql);
}
