using XmppUpload.Core.Accounts;
using XmppUpload.Core.Slots;

namespace XmppUpload.Node.Admin;

/// <summary>The operator verbs themselves, each returning its exit code; accounts are bare JIDs, already checked.</summary>
internal sealed class AdminVerbs
{
    private readonly AccountService _accounts;
    private readonly Sweeper _sweeper;
    private readonly AdminPublicUrl _publicUrl;
    private readonly TimeProvider _time;
    private readonly AdminOutput _output;

    public AdminVerbs(AccountService accounts, Sweeper sweeper, AdminPublicUrl publicUrl, TimeProvider time, AdminOutput output)
    {
        _accounts = accounts;
        _sweeper = sweeper;
        _publicUrl = publicUrl;
        _time = time;
        _output = output;
    }

    public async Task<int> UsageAsync(string account, CancellationToken cancellationToken)
    {
        var at = _time.GetUtcNow();
        var buckets = await _accounts.GetUsageAsync(account, cancellationToken);
        if (_output.Json)
        {
            _output.WriteJson(
                new UsageJson(account, AdminJsonContext.Instant(at)!, [.. buckets.Select(b => new BucketJson(
                    PurposeNames.ElementName(b.Purpose),
                    b.Enabled,
                    b.StoredFiles,
                    b.StoredBytes,
                    b.ReservedBytes,
                    b.Quota,
                    b.Retention is { } retention ? (long)retention.TotalSeconds : null,
                    b.OverQuota == OverQuotaRule.Reject ? "reject" : "evictOldest"))]),
                AdminJsonContext.Default.UsageJson);
            return AdminExitCodes.Ok;
        }

        var table = new TextTable("PURPOSE", "ENABLED", "FILES>", "STORED>", "RESERVED>", "QUOTA>", "USED>", "RETENTION", "OVER QUOTA");
        foreach (var bucket in buckets)
        {
            table.Add(
                PurposeNames.ElementName(bucket.Purpose),
                bucket.Enabled ? "yes" : "no",
                Number(bucket.StoredFiles),
                AdminText.Bytes(bucket.StoredBytes),
                AdminText.Bytes(bucket.ReservedBytes),
                AdminText.Bytes(bucket.Quota),
                AdminText.Percent(bucket.StoredBytes + bucket.ReservedBytes, bucket.Quota),
                AdminText.Duration(bucket.Retention),
                bucket.OverQuota == OverQuotaRule.Reject ? "reject" : "evict oldest");
        }

        table.Add(
            "total",
            string.Empty,
            Number(buckets.Sum(b => b.StoredFiles)),
            AdminText.Bytes(buckets.Sum(b => b.StoredBytes)),
            AdminText.Bytes(buckets.Sum(b => b.ReservedBytes)),
            string.Empty,
            string.Empty,
            string.Empty,
            string.Empty);

        await _output.Out.WriteLineAsync($"Usage of {account} at {AdminText.Instant(at)}");
        await _output.Out.WriteLineAsync();
        table.WriteTo(_output.Out);
        return AdminExitCodes.Ok;
    }

    public async Task<int> FilesAsync(string account, CancellationToken cancellationToken)
    {
        var files = await _accounts.ListFilesAsync(account, cancellationToken);
        var withUrls = _publicUrl.Url is not null;
        if (!withUrls)
        {
            await _output.Error.WriteLineAsync($"{_publicUrl.Problem}: the files are listed without their URLs; give it as the node has it, e.g. --{AdminPublicUrl.Key}=https://upload.example.org/.");
        }

        if (_output.Json)
        {
            _output.WriteJson(
                new FilesJson(account, [.. files.Select(f => new FileJson(
                    f.SlotId,
                    f.FileName,
                    f.Size,
                    f.ContentType,
                    PurposeNames.ElementName(f.Purpose),
                    AdminJsonContext.Instant(f.StoredAt),
                    AdminJsonContext.Instant(f.ExpiresAt),
                    withUrls ? f.GetUrl.AbsoluteUri : null))]),
                AdminJsonContext.Default.FilesJson);
            return AdminExitCodes.Ok;
        }

        if (files.Count == 0)
        {
            await _output.Out.WriteLineAsync($"{account} has no stored files.");
            return AdminExitCodes.Ok;
        }

        string[] columns = ["SLOT ID", "NAME", "SIZE>", "TYPE", "PURPOSE", "STORED AT", "EXPIRES AT"];
        var table = new TextTable(withUrls ? [.. columns, "URL"] : columns);
        foreach (var file in files)
        {
            string[] cells =
            [
                file.SlotId,
                AdminText.Printable(file.FileName),
                AdminText.Bytes(file.Size),
                file.ContentType is { } type ? AdminText.Printable(type) : "-",
                PurposeNames.ElementName(file.Purpose),
                AdminText.Instant(file.StoredAt),
                AdminText.Instant(file.ExpiresAt),
            ];
            table.Add(withUrls ? [.. cells, file.GetUrl.AbsoluteUri] : cells);
        }

        await _output.Out.WriteLineAsync($"Files of {account}: {Count(files.Count)}, {AdminText.Bytes(files.Sum(f => f.Size))}");
        await _output.Out.WriteLineAsync();
        table.WriteTo(_output.Out);
        return AdminExitCodes.Ok;
    }

    /// <summary>
    /// Without <paramref name="confirmed"/> nothing is removed: the operator is told what would go and how to confirm,
    /// and the exit code is 2, so that a script that forgot <c>--yes</c> cannot mistake the refusal for a purge.
    /// </summary>
    public async Task<int> PurgeAsync(string account, bool confirmed, CancellationToken cancellationToken)
    {
        var before = await _accounts.GetUsageAsync(account, cancellationToken);
        var files = before.Sum(b => b.StoredFiles);
        var stored = before.Sum(b => b.StoredBytes);
        var reserved = before.Sum(b => b.ReservedBytes);
        if (!confirmed)
        {
            await _output.Error.WriteLineAsync(
                $"Nothing was removed: purge deletes every file, open slot and ledger row of {account} ({Count(files)} stored, "
                + $"{AdminText.Bytes(stored)}; {AdminText.Bytes(reserved)} reserved by open slots) and cannot be undone. "
                + "Run it again with --yes to confirm.");
            if (_output.Json)
            {
                _output.WriteJson(new PurgeJson(account, false, files, stored, reserved, null), AdminJsonContext.Default.PurgeJson);
            }

            return AdminExitCodes.UsageError;
        }

        var removed = await _accounts.PurgeAsync(account, cancellationToken);
        if (_output.Json)
        {
            _output.WriteJson(new PurgeJson(account, true, files, stored, reserved, removed), AdminJsonContext.Default.PurgeJson);
        }
        else
        {
            await _output.Out.WriteLineAsync(
                $"Purged {account}: removed {removed} slot{(removed == 1 ? string.Empty : "s")} with their blobs and rows ({Count(files)}, {AdminText.Bytes(stored)}).");
        }

        return AdminExitCodes.Ok;
    }

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var at = _time.GetUtcNow();
        var report = await _sweeper.RunOnceAsync(cancellationToken);
        if (_output.Json)
        {
            _output.WriteJson(
                new SweepJson(AdminJsonContext.Instant(at)!, report.Expired, report.LapsedReservations, report.BlobsRemoved, report.OrphansRemoved),
                AdminJsonContext.Default.SweepJson);
            return AdminExitCodes.Ok;
        }

        var table = new TextTable("SWEPT", "COUNT>");
        table.Add("expired files", Number(report.Expired));
        table.Add("lapsed reservations", Number(report.LapsedReservations));
        table.Add("blobs removed", Number(report.BlobsRemoved));
        table.Add("orphan blobs removed", Number(report.OrphansRemoved));
        await _output.Out.WriteLineAsync($"Sweep at {AdminText.Instant(at)}");
        await _output.Out.WriteLineAsync();
        table.WriteTo(_output.Out);
        return AdminExitCodes.Ok;
    }

    private static string Number(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Count(int files) => files == 1 ? "1 file" : $"{Number(files)} files";
}
