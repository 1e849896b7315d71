using System.Text.Json;
using XmppUpload.Core.Slots;
using XmppUpload.Node.Tests.Support;
using XmppUpload.Testing;

namespace XmppUpload.Node.Tests;

/// <summary>
/// The operator verbs of the real node executable, run as a child process against a data directory seeded through the
/// real SQLite ledger and file-system blob store.
/// </summary>
public sealed class AdminVerbTests : IAsyncLifetime
{
    private const string PublicUrl = "https://upload.example.org/files/";
    private const string PublicUrlArgument = "--Http:PublicUrl=" + PublicUrl;

    private SeededDataDirectory _data = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _data = await SeededDataDirectory.CreateAsync(Token);

    public async ValueTask DisposeAsync() => await _data.DisposeAsync();

    [Fact]
    public async Task Usage_PrintsEachBucketWithStoredAndReservedBytesAgainstItsQuota()
    {
        var run = await RunAsync("usage", SeededDataDirectory.Alice);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Usage of {SeededDataDirectory.Alice} at ", run.StandardOutput, StringComparison.Ordinal);
        var rows = TableRows(run.StandardOutput, "PURPOSE");
        Assert.Equal(["PURPOSE", "ENABLED", "FILES", "STORED", "RESERVED", "QUOTA", "USED", "RETENTION", "OVER", "QUOTA"], rows["PURPOSE"]);
        Assert.Equal("message yes 1 1000 B 5000 B (4.9 KiB) 1073741824 B (1 GiB) 0.0% 30 days evict oldest", string.Join(' ', rows["message"]));
        Assert.Equal("profile yes 0 0 B 0 B 52428800 B (50 MiB) 0.0% 365 days reject", string.Join(' ', rows["profile"]));
        Assert.Equal("permanent yes 1 2048 B (2 KiB) 0 B 5368709120 B (5 GiB) 0.0% never reject", string.Join(' ', rows["permanent"]));
        Assert.Equal("total 2 3048 B (3 KiB) 5000 B (4.9 KiB)", string.Join(' ', rows["total"]));
        Assert.Empty(run.StandardError);
    }

    [Fact]
    public async Task Usage_InTheTable_AlignsEveryColumn()
    {
        var run = await RunAsync("usage", SeededDataDirectory.Alice);

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.StandardOutput.Split('\n').SkipWhile(l => !l.StartsWith("PURPOSE", StringComparison.Ordinal)).Where(l => l.Length > 0).ToList();
        var header = lines[0];
        // Right-aligned numeric columns end where their header ends; left-aligned ones start where theirs starts.
        var storedEnd = header.IndexOf("STORED", StringComparison.Ordinal) + "STORED".Length;
        var retentionStart = header.IndexOf("RETENTION", StringComparison.Ordinal);
        Assert.All(lines.Skip(1).Take(4), line =>
        {
            Assert.Equal(' ', line[storedEnd]);
            Assert.NotEqual(' ', line[storedEnd - 1]);
            Assert.NotEqual(' ', line[retentionStart]);
            Assert.Equal(' ', line[retentionStart - 1]);
        });
    }

    [Fact]
    public async Task Usage_WithJson_ReportsEveryBucketWithNumbersAsNumbers()
    {
        var run = await RunAsync("usage", SeededDataDirectory.Alice, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.StandardOutput);
        var root = json.RootElement;
        Assert.Equal(["account", "at", "buckets"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(SeededDataDirectory.Alice, root.GetProperty("account").GetString());
        Assert.True(root.GetProperty("at").GetDateTimeOffset() > SeededDataDirectory.SeededAt);

        var buckets = root.GetProperty("buckets").EnumerateArray().ToDictionary(b => b.GetProperty("purpose").GetString()!);
        Assert.Equal(["message", "profile", "ephemeral", "permanent"], buckets.Keys);
        var message = buckets["message"];
        Assert.Equal(
            ["purpose", "enabled", "storedFiles", "storedBytes", "reservedBytes", "quotaBytes", "retentionSeconds", "overQuota"],
            message.EnumerateObject().Select(p => p.Name));
        Assert.True(message.GetProperty("enabled").GetBoolean());
        Assert.Equal(1, message.GetProperty("storedFiles").GetInt32());
        Assert.Equal(1000, message.GetProperty("storedBytes").GetInt64());
        Assert.Equal(5000, message.GetProperty("reservedBytes").GetInt64());
        Assert.Equal(1L << 30, message.GetProperty("quotaBytes").GetInt64());
        Assert.Equal(30 * 24 * 3600, message.GetProperty("retentionSeconds").GetInt64());
        Assert.Equal("evictOldest", message.GetProperty("overQuota").GetString());

        var permanent = buckets["permanent"];
        Assert.Equal(2048, permanent.GetProperty("storedBytes").GetInt64());
        Assert.Equal(JsonValueKind.Null, permanent.GetProperty("retentionSeconds").ValueKind);
        Assert.Equal("reject", permanent.GetProperty("overQuota").GetString());
        Assert.Equal(0, buckets["profile"].GetProperty("storedFiles").GetInt32());
    }

    [Fact]
    public async Task Usage_OfAFullJid_ReportsItsBareAccount()
    {
        var run = await RunAsync("usage", "Alice@example.org/phone", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.StandardOutput);
        Assert.Equal(SeededDataDirectory.Alice, json.RootElement.GetProperty("account").GetString());
        Assert.Equal(1000, json.RootElement.GetProperty("buckets")[0].GetProperty("storedBytes").GetInt64());
    }

    [Fact]
    public async Task Files_ListsTheAccountsStoredFilesWithTheirUrlsAndNoOneElses()
    {
        var run = await RunAsync("files", SeededDataDirectory.Alice, PublicUrlArgument);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Files of {SeededDataDirectory.Alice}: 2 files, 3048 B (3 KiB)", run.StandardOutput, StringComparison.Ordinal);
        var rows = TableRows(run.StandardOutput, "SLOT");
        Assert.Equal(3, rows.Count);

        // Newest first; the open slot (no bytes yet) and Bob's files are not listed.
        var notes = _data.AliceNotes.Id;
        var photo = _data.AlicePhoto.Id;
        Assert.Equal(
            $"{notes} notes.txt 2048 B (2 KiB) text/plain permanent 2025-01-01T11:02:00Z never {PublicUrl}{notes}/notes.txt",
            string.Join(' ', rows[notes]));
        Assert.Equal(
            $"{photo} summer photo.jpg 1000 B image/jpeg message 2025-01-01T10:02:00Z 2100-01-01T00:00:00Z {PublicUrl}{photo}/summer%20photo.jpg",
            string.Join(' ', rows[photo]));
        Assert.True(
            run.StandardOutput.IndexOf(notes, StringComparison.Ordinal) < run.StandardOutput.IndexOf(photo, StringComparison.Ordinal),
            run.ToString());
        Assert.DoesNotContain(_data.AlicePending.Id, run.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("avatar.png", run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_WithJson_ListsEachFileWithStableNames()
    {
        var run = await RunAsync("files", SeededDataDirectory.Alice, "--json", PublicUrlArgument);

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.StandardOutput);
        Assert.Equal(SeededDataDirectory.Alice, json.RootElement.GetProperty("account").GetString());
        var files = json.RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal([_data.AliceNotes.Id, _data.AlicePhoto.Id], files.Select(f => f.GetProperty("slotId").GetString()));

        var photo = files[1];
        Assert.Equal(
            ["slotId", "fileName", "size", "contentType", "purpose", "storedAt", "expiresAt", "url"],
            photo.EnumerateObject().Select(p => p.Name));
        Assert.Equal("summer photo.jpg", photo.GetProperty("fileName").GetString());
        Assert.Equal(1000, photo.GetProperty("size").GetInt64());
        Assert.Equal("image/jpeg", photo.GetProperty("contentType").GetString());
        Assert.Equal("message", photo.GetProperty("purpose").GetString());
        Assert.Equal("2025-01-01T10:02:00Z", photo.GetProperty("storedAt").GetString());
        Assert.Equal("2100-01-01T00:00:00Z", photo.GetProperty("expiresAt").GetString());
        Assert.Equal($"{PublicUrl}{_data.AlicePhoto.Id}/summer%20photo.jpg", photo.GetProperty("url").GetString());
        Assert.Equal(JsonValueKind.Null, files[0].GetProperty("expiresAt").ValueKind);
    }

    [Fact]
    public async Task Files_WithoutPublicUrl_ListsTheFilesWithoutUrlsAndSaysWhy()
    {
        var table = await RunAsync("files", SeededDataDirectory.Alice);
        var json = await RunAsync("files", SeededDataDirectory.Alice, "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("Http:PublicUrl is not set", table.StandardError, StringComparison.Ordinal);
        Assert.Contains("summer photo.jpg", table.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("URL", table.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("http", table.StandardOutput, StringComparison.Ordinal);

        Assert.True(json.ExitCode == 0, json.ToString());
        using var document = JsonDocument.Parse(json.StandardOutput);
        Assert.All(document.RootElement.GetProperty("files").EnumerateArray(), f => Assert.Equal(JsonValueKind.Null, f.GetProperty("url").ValueKind));
    }

    [Fact]
    public async Task Files_OfAnAccountWithNoFiles_SaysSo()
    {
        var run = await RunAsync("files", "nobody@example.org", PublicUrlArgument);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("nobody@example.org has no stored files.", run.StandardOutput.Trim());
    }

    [Fact]
    public async Task Purge_RemovesEveryFileOfTheAccountAndNothingElse()
    {
        var run = await RunAsync("purge", SeededDataDirectory.Alice, "--yes", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using (var json = JsonDocument.Parse(run.StandardOutput))
        {
            Assert.True(json.RootElement.GetProperty("confirmed").GetBoolean());
            Assert.Equal(3, json.RootElement.GetProperty("slotsRemoved").GetInt32());
            Assert.Equal(2, json.RootElement.GetProperty("storedFiles").GetInt32());
        }

        Assert.Equal(0, _data.CountRows(SeededDataDirectory.Alice));
        foreach (var slot in _data.AliceSlots)
        {
            Assert.Null(await _data.Ledger.FindSlotAsync(slot.Id, Token));
            Assert.False(await _data.Blobs.ExistsAsync(slot.Id, Token));
        }

        Assert.Equal(2, _data.CountRows(SeededDataDirectory.Bob));
        foreach (var slot in new[] { _data.BobAvatar, _data.BobExpired })
        {
            Assert.NotNull(await _data.Ledger.FindSlotAsync(slot.Id, Token));
            Assert.True(await _data.Blobs.ExistsAsync(slot.Id, Token));
        }
    }

    [Fact]
    public async Task Purge_AlsoRemovesTheAccountsWebDavFiles_AndNobodyElses()
    {
        var dav = new XmppUpload.Storage.Dav.SqliteDavStore(_data.Ledger);
        var aliceKey = await PutDavFileAsync(dav, "/alice-notes.txt", SeededDataDirectory.Alice, "davalice0001");
        var bobKey = await PutDavFileAsync(dav, "/bob-notes.txt", SeededDataDirectory.Bob, "davbob0001");

        var run = await RunAsync("purge", SeededDataDirectory.Alice, "--yes");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Null(await dav.FindAsync("/alice-notes.txt", Token));
        Assert.False(await _data.Blobs.ExistsAsync(aliceKey, Token));
        Assert.NotNull(await dav.FindAsync("/bob-notes.txt", Token));
        Assert.True(await _data.Blobs.ExistsAsync(bobKey, Token));
    }

    private async Task<string> PutDavFileAsync(XmppUpload.Storage.Dav.SqliteDavStore dav, string path, string owner, string blobKey)
    {
        await using (var writer = await _data.Blobs.BeginWriteAsync(blobKey, Token))
        {
            await writer.WriteAsync("webdav"u8.ToArray(), Token);
            await writer.CommitAsync(Token);
        }

        var put = await dav.PutFileAsync(
            new XmppUpload.Core.Dav.DavPutRequest
            {
                Path = path,
                Owner = owner,
                Size = 6,
                BlobKey = blobKey,
                ETag = blobKey,
                Now = SeededDataDirectory.SeededAt,
                Quota = 1_000_000,
                MaxFileSize = 1_000_000,
            },
            Token);
        Assert.Equal(XmppUpload.Core.Dav.DavOutcome.Created, put.Outcome);
        return blobKey;
    }

    [Fact]
    public async Task Purge_InTheTable_SaysWhatWasRemoved()
    {
        var run = await RunAsync("purge", SeededDataDirectory.Alice, "--yes");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(
            $"Purged {SeededDataDirectory.Alice}: removed 3 slots with their blobs and rows (2 files, 3048 B (3 KiB)).",
            run.StandardOutput.Trim());
    }

    [Fact]
    public async Task Purge_WithoutYes_RefusesSaysWhatWouldGoAndRemovesNothing()
    {
        var run = await RunAsync("purge", SeededDataDirectory.Alice);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Empty(run.StandardOutput);
        Assert.Contains("Nothing was removed", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("2 files", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("--yes", run.StandardError, StringComparison.Ordinal);
        Assert.Equal(3, _data.CountRows(SeededDataDirectory.Alice));
        Assert.True(await _data.Blobs.ExistsAsync(_data.AlicePhoto.Id, Token));
    }

    [Fact]
    public async Task Sweep_RemovesAnExpiredFileAndReportsIt()
    {
        var run = await RunAsync("sweep", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using (var json = JsonDocument.Parse(run.StandardOutput))
        {
            var root = json.RootElement;
            Assert.Equal(["at", "expired", "lapsedReservations", "blobsRemoved", "orphansRemoved"], root.EnumerateObject().Select(p => p.Name));
            Assert.Equal(1, root.GetProperty("expired").GetInt32());
            Assert.Equal(0, root.GetProperty("lapsedReservations").GetInt32());
            Assert.Equal(1, root.GetProperty("blobsRemoved").GetInt32());
            Assert.Equal(0, root.GetProperty("orphansRemoved").GetInt32());
        }

        Assert.Null(await _data.Ledger.FindSlotAsync(_data.BobExpired.Id, Token));
        Assert.False(await _data.Blobs.ExistsAsync(_data.BobExpired.Id, Token));
        Assert.True(await _data.Blobs.ExistsAsync(_data.BobAvatar.Id, Token));
        Assert.Equal(3, _data.CountRows(SeededDataDirectory.Alice));
    }

    [Fact]
    public async Task Sweep_InTheTable_CountsWhatItDid()
    {
        var run = await RunAsync("sweep");

        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = TableRows(run.StandardOutput, "SWEPT");
        Assert.Equal(["expired", "files", "1"], rows["expired"]);
        Assert.Equal(["blobs", "removed", "1"], rows["blobs"]);
        Assert.Equal(["lapsed", "reservations", "0"], rows["lapsed"]);
    }

    [Theory]
    [InlineData("usage", "bad@@jid")]
    [InlineData("files", "alice@")]
    [InlineData("purge", "@example.org")]
    public async Task AccountVerb_WithAMalformedJid_ExitsWith2AndOneLine(string verb, string jid)
    {
        var run = await RunAsync(verb, jid);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Empty(run.StandardOutput);
        Assert.Equal($"'{jid}' is not a valid JID: give the account's bare JID, e.g. {verb} alice@example.org.", run.StandardError.Trim());
    }

    [Theory]
    [InlineData("help")]
    [InlineData("--help")]
    public async Task Help_ListsTheVerbs(string help)
    {
        var run = await RunAsync(help);

        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var verb in new[] { "usage <jid>", "files <jid>", "purge <jid>", "sweep", "--json" })
        {
            Assert.Contains(verb, run.StandardOutput, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task UnknownVerb_ExitsWith2AndPointsAtHelp()
    {
        var run = await RunAsync("usages", SeededDataDirectory.Alice);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("'usages'", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("XmppUpload.Node help", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verb_AgainstADirectoryWithoutALedger_ExitsWith2AndCreatesNothing()
    {
        var missing = Path.Combine(_data.Path, "not-the-data-directory");

        var run = await RunAsync("usage", SeededDataDirectory.Alice, $"--Storage:Path={missing}");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith($"No ledger at {Path.Combine(missing, "ledger.db")}: set Storage:Path", run.StandardError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task Files_WithConfigurationGivenAsKeySpaceValue_ReadsIt()
    {
        var run = await RunAsync("files", SeededDataDirectory.Alice, "--json", "--Http:PublicUrl", PublicUrl);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"{PublicUrl}{_data.AliceNotes.Id}/notes.txt", run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verb_OnTheDataOfARunningNode_LeavesItsUploadsInProgressAlone()
    {
        // A node is receiving the open slot's PUT: its slot is Uploading and its bytes are staged, not committed.
        var attempt = await _data.Ledger.BeginUploadAsync(_data.AlicePending.Id, SeededDataDirectory.SeededAt.AddMinutes(1), Token);
        await using var upload = await _data.Blobs.BeginWriteAsync(_data.AlicePending.Id, Token);
        await upload.WriteAsync(new byte[100], Token);

        var run = await RunAsync("usage", SeededDataDirectory.Alice);

        // The node's start-up clean-up (staged files removed, uploads reset to Pending) must not run for a verb.
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(SlotState.Uploading, (await _data.Ledger.FindSlotAsync(_data.AlicePending.Id, Token))!.State);
        Assert.Single(Directory.GetFiles(_data.Blobs.StagingPath));
        await upload.CommitAsync(Token);
        Assert.True(await _data.Ledger.TryCompleteUploadAsync(_data.AlicePending.Id, attempt, SeededDataDirectory.SeededAt.AddMinutes(2), Token));
    }

    [Fact]
    public async Task NoVerb_RunsTheNodeAsBefore()
    {
        // Without a verb the node starts, and refuses (as it always has) to run without a configured listener.
        var run = await RunAsync();

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("No HTTP endpoint is configured", run.StandardError, StringComparison.Ordinal);
    }

    private Task<VerbRun> RunAsync(params string[] args) => VerbRun.StartAsync(_data.Path, args, Token);

    /// <summary>The rows of the table whose header starts with <paramref name="header"/>, split on spaces, keyed by their first cell.</summary>
    private static Dictionary<string, string[]> TableRows(string output, string header) =>
        output.Split('\n')
            .SkipWhile(line => !line.StartsWith(header, StringComparison.Ordinal))
            .Where(line => line.Length > 0)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(cells => cells[0]);
}
