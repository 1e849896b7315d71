using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Slots;
using XmppUpload.Storage;
using XmppUpload.Storage.FileSystem;
using XmppUpload.Storage.Sqlite;
using XmppUpload.Testing;

namespace XmppUpload.Node.Tests.Support;

/// <summary>
/// A node data directory written through the real SQLite ledger and file-system blob store, holding a fixed set of
/// slots for two accounts. Instants are fixed: stored in 2025, expiring in 2100 or (one of Bob's) in February 2025, so
/// the verbs, which run on the system clock, see the same state on any day between.
/// </summary>
public sealed class SeededDataDirectory : IAsyncDisposable
{
    public const string Alice = "alice@example.org";

    public const string Bob = "bob@example.net";

    public static readonly DateTimeOffset SeededAt = new(2025, 1, 1, 10, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset FarFuture = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset Expired = new(2025, 2, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TemporaryDirectory _directory;

    private SeededDataDirectory(TemporaryDirectory directory)
    {
        _directory = directory;
        var options = Options.Create(new StorageOptions { Path = directory.Path });
        Ledger = new SqliteLedger(options, NullLogger<SqliteLedger>.Instance);
        Blobs = new FileSystemBlobStore(options, NullLogger<FileSystemBlobStore>.Instance);
    }

    public string Path => _directory.Path;

    public SqliteLedger Ledger { get; }

    public FileSystemBlobStore Blobs { get; }

    /// <summary>Alice: message, 1000 bytes, stored 2025-01-01T10:02:00Z, expires 2100.</summary>
    public Slot AlicePhoto { get; private set; } = null!;

    /// <summary>Alice: permanent, 2048 bytes, stored 2025-01-01T11:02:00Z, never expires.</summary>
    public Slot AliceNotes { get; private set; } = null!;

    /// <summary>Alice: an open message slot reserving 5000 bytes until 2100, no blob.</summary>
    public Slot AlicePending { get; private set; } = null!;

    /// <summary>Bob: profile, 300 bytes, expires 2100.</summary>
    public Slot BobAvatar { get; private set; } = null!;

    /// <summary>Bob: message, 50 bytes, expired on 2025-02-01 and not yet swept.</summary>
    public Slot BobExpired { get; private set; } = null!;

    public IReadOnlyList<Slot> AliceSlots => [AlicePhoto, AliceNotes, AlicePending];

    public static async Task<SeededDataDirectory> CreateAsync(CancellationToken cancellationToken)
    {
        var data = new SeededDataDirectory(TemporaryDirectory.Create("node-admin"));
        await data.Ledger.MigrateAsync(cancellationToken);
        data.AlicePhoto = await data.StoreAsync(Alice, "summer photo.jpg", 1000, Purpose.Message, "image/jpeg", FarFuture, SeededAt, cancellationToken);
        data.AliceNotes = await data.StoreAsync(Alice, "notes.txt", 2048, Purpose.Permanent, "text/plain", null, SeededAt.AddHours(1), cancellationToken);
        data.AlicePending = New(Alice, "video.mp4", 5000, Purpose.Message, "video/mp4", FarFuture, SeededAt, putDeadline: FarFuture);
        await data.Ledger.CreateSlotAsync(data.AlicePending, cancellationToken);
        data.BobAvatar = await data.StoreAsync(Bob, "avatar.png", 300, Purpose.Profile, "image/png", FarFuture, SeededAt, cancellationToken);
        data.BobExpired = await data.StoreAsync(Bob, "old.txt", 50, Purpose.Message, null, Expired, SeededAt, cancellationToken);
        return data;
    }

    /// <summary>How many ledger rows (in any state) the owner has, read past the ledger's API.</summary>
    public long CountRows(string owner)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = System.IO.Path.Combine(Path, SqliteLedger.DatabaseFileName),
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM slots WHERE owner = $owner";
        command.Parameters.AddWithValue("$owner", owner);
        return (long)command.ExecuteScalar()!;
    }

    public ValueTask DisposeAsync()
    {
        Ledger.Dispose();
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }

    private static Slot New(
        string owner, string fileName, long size, Purpose purpose, string? contentType, DateTimeOffset? expiresAt, DateTimeOffset createdAt, DateTimeOffset? putDeadline = null) => new()
    {
        Id = SlotIds.New(),
        Owner = owner,
        FileName = fileName,
        Size = size,
        ContentType = contentType,
        Purpose = purpose,
        CreatedAt = createdAt,
        PutDeadline = putDeadline ?? createdAt.AddMinutes(5),
        ExpiresAt = expiresAt,
    };

    private async Task<Slot> StoreAsync(
        string owner, string fileName, long size, Purpose purpose, string? contentType, DateTimeOffset? expiresAt, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        var slot = New(owner, fileName, size, purpose, contentType, expiresAt, createdAt);
        await Ledger.CreateSlotAsync(slot, cancellationToken);
        var attempt = await Ledger.BeginUploadAsync(slot.Id, createdAt.AddMinutes(1), cancellationToken);
        await using (var writer = await Blobs.BeginWriteAsync(slot.Id, cancellationToken))
        {
            await writer.WriteAsync(new byte[size], cancellationToken);
            await writer.CommitAsync(cancellationToken);
        }

        Assert.True(await Ledger.TryCompleteUploadAsync(slot.Id, attempt, createdAt.AddMinutes(2), cancellationToken));
        return slot;
    }
}
