using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Accounts;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Slots;
using XmppUpload.Storage;
using XmppUpload.Storage.Sqlite;
using XmppUpload.Testing;

namespace XmppUpload.Benchmarks.Micro;

/// <summary>
/// The embedded ledger (SQLite in a temporary directory, as a single node runs it): the slot reservation that every
/// granted request makes, and the whole life of an upload in the ledger (reserve, begin under a lease, commit).
/// The requests rotate over many accounts, as real traffic does, so no account's rate window or quota is the limit.
/// </summary>
public class LedgerBenchmarks
{
    private const int Accounts = 1000;

    private readonly AccountLimits _limits = new(
        new BucketPolicy(Purpose.Message, Enabled: true, MaxFileSize: 100L * 1024 * 1024, Retention: TimeSpan.FromDays(30), Quota: long.MaxValue / 4, OverQuota: OverQuotaRule.Reject),
        RequestsPerWindow: int.MaxValue,
        Window: TimeSpan.FromMinutes(1),
        GlobalQuota: null);

    private TemporaryDirectory _directory = null!;
    private SqliteLedger _ledger = null!;
    private string[] _owners = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _directory = TemporaryDirectory.Create("ledger-bench");
        _ledger = new SqliteLedger(Options.Create(new StorageOptions { Path = _directory.Path }), NullLogger<SqliteLedger>.Instance);
        _owners = [.. Enumerable.Range(0, Accounts).Select(i => string.Create(CultureInfo.InvariantCulture, $"user{i}@example.org"))];

        // The first call creates the schema; that is not what is measured.
        ReserveAndCommit().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ledger.Dispose();
        _directory.Dispose();
    }

    [Benchmark]
    public async Task<bool> Reserve()
    {
        var now = DateTimeOffset.UtcNow;
        var decision = await _ledger.ReserveSlotAsync(NewSlot(now), _limits, now, CancellationToken.None);
        return decision.IsGranted ? true : throw new InvalidOperationException($"Refused: {decision.Text}");
    }

    [Benchmark]
    public async Task<bool> ReserveAndCommit()
    {
        var now = DateTimeOffset.UtcNow;
        var slot = NewSlot(now);
        var decision = await _ledger.ReserveSlotAsync(slot, _limits, now, CancellationToken.None);
        if (!decision.IsGranted)
        {
            throw new InvalidOperationException($"Refused: {decision.Text}");
        }

        await _ledger.StoreUploadAsync(slot.Id, now, CancellationToken.None);
        return true;
    }

    private Slot NewSlot(DateTimeOffset now) => new()
    {
        Id = SlotIds.New(),
        Owner = _owners[_next++ % _owners.Length],
        FileName = "photo.jpg",
        Size = 1024,
        ContentType = "image/jpeg",
        Purpose = Purpose.Message,
        CreatedAt = now,
        PutDeadline = now.AddMinutes(5),
        ExpiresAt = now.AddDays(30),
    };
}
