using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using XmppUpload.Testing;

namespace XmppUpload.Cluster.Tests;

/// <summary>
/// What a cluster promises whatever its object store: any node serves what any other stored, and one account's
/// quota holds across nodes. Slots come from Prosody through the component, requested by slixmpp as a client would.
/// </summary>
public abstract class ClusterTests<TFixture>(TFixture cluster)
    where TFixture : ClusterFixture
{
    protected static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    protected TFixture Cluster { get; } = cluster;

    [Fact(Timeout = 300_000)]
    public async Task FileStoredThroughOneNode_IsServedWithIdenticalBytesByEveryOtherNodeAndByTheBalancer()
    {
        using var files = TemporaryDirectory.Create("cluster-cross-node");
        // One larger than an S3 part (a multipart upload), one of a few hundred KB, one byte.
        var contents = new[] { RandomBytes(6 * 1024 * 1024 + 123), RandomBytes(300_001), RandomBytes(1) };
        var paths = await WriteFilesAsync(files, "cross", contents);

        // File i goes up through node i, bypassing the balancer.
        var slots = await Cluster.RequestSlotsAsync("alice", paths, putBases: [.. Cluster.Nodes.Select(node => node.Url)], cancellationToken: Cancellation);

        using var http = NewHttpClient();
        for (var i = 0; i < slots.Count; i++)
        {
            var slot = slots[i];
            var uploader = Cluster.Nodes[i];
            Assert.True(slot.Granted && slot.PutStatus == 201, $"{slot}{Environment.NewLine}{Cluster.Describe()}");
            Assert.Equal(uploader.Port, slot.PutTarget!.Port);
            Assert.Equal(Cluster.Balancer.Port, slot.GetUrl!.Port);
            Assert.All(Cluster.Nodes, node => Assert.Equal(
                node == uploader,
                node.Output.Contains($"PUT {slot.SlotId} stored {contents[i].Length} bytes", StringComparison.Ordinal)));

            foreach (var other in Cluster.Nodes.Where(node => node != uploader))
            {
                var (status, body) = await GetAsync(http, other.Direct(slot.GetUrl));
                Assert.Equal(HttpStatusCode.OK, status);
                Assert.True(contents[i].AsSpan().SequenceEqual(body), $"{other} served other bytes for {slot}");
            }

            // A range, as a resuming download asks for it, from the node after the uploader.
            var ranger = Cluster.Nodes[(i + 1) % Cluster.Nodes.Count];
            var start = contents[i].Length / 3;
            var end = Math.Min(contents[i].Length - 1, start + 65_535);
            var (rangeStatus, range) = await GetAsync(http, ranger.Direct(slot.GetUrl), new RangeHeaderValue(start, end));
            Assert.Equal(HttpStatusCode.PartialContent, rangeStatus);
            Assert.True(contents[i].AsSpan(start, end - start + 1).SequenceEqual(range), $"{ranger} served another range of {slot}");
        }

        // Through the balancer, as the shared URL is used: round robin hands the GETs to every node.
        var before = await Cluster.Balancer.ReadResponseCountsAsync(Cancellation);
        const int Rounds = 3;
        for (var round = 0; round < Rounds; round++)
        {
            for (var i = 0; i < slots.Count; i++)
            {
                var (status, body) = await GetAsync(http, slots[i].GetUrl!);
                Assert.Equal(HttpStatusCode.OK, status);
                Assert.True(contents[i].AsSpan().SequenceEqual(body), $"the balancer served other bytes for {slots[i]}");
            }
        }

        var served = await ServedSinceAsync(before, Rounds * slots.Count);
        Assert.All(Cluster.Nodes, node => Assert.True(served[node.Name] > 0, $"{node.Name} served none of the GETs through the balancer: {Describe(served)}"));
    }

    [Fact(Timeout = 300_000)]
    public async Task SixtyFourConcurrentSlotRequestsAndUploadsOfOneAccount_SpreadOverTheNodes_NeverExceedItsQuota_AndUsageMatches()
    {
        const int Requests = 64;
        const int FileSize = 40_000;
        const long Fitting = ClusterFixture.ProfileQuota / FileSize;
        const string User = "dave";
        using var files = TemporaryDirectory.Create("cluster-quota");
        var contents = Enumerable.Range(0, Requests).Select(_ => RandomBytes(FileSize)).ToArray();
        var paths = await WriteFilesAsync(files, "avatar", contents);
        var before = await Cluster.Balancer.ReadResponseCountsAsync(Cancellation);

        // All 64 requests at once over one session, each granted slot's PUT sent through the balancer as soon as it is granted.
        var slots = await Cluster.RequestSlotsAsync(User, paths, purpose: "profile", putBases: [Cluster.Balancer.Url], cancellationToken: Cancellation);

        var granted = slots.Where(slot => slot.Granted).ToList();
        // The profile bucket refuses over quota (rule Reject), so exactly as many as fit are granted, whatever the order.
        Assert.True(granted.Count == Fitting, $"{granted.Count} of {Requests} granted, {Fitting} fit:{Environment.NewLine}{string.Join(Environment.NewLine, slots)}");
        Assert.All(slots.Where(slot => !slot.Granted), slot =>
        {
            Assert.Equal("resource-constraint", slot.ErrorCondition);
            // wait while part of the quota is held by reservations of uploads still under way (they may lapse), cancel
            // once stored files fill it (nothing frees space by itself): which one depends on how far the granted
            // uploads have come when the refused request is decided.
            Assert.Contains(slot.ErrorType, new[] { "wait", "cancel" });
            if (slot.ErrorType == "cancel")
            {
                Assert.Contains($"quota of {ClusterFixture.ProfileQuota} bytes is full", slot.ErrorText, StringComparison.Ordinal);
            }

            Assert.False(string.IsNullOrWhiteSpace(slot.ErrorText), slot.ToString());
        });
        Assert.All(granted, slot => Assert.True(slot.PutStatus == 201, $"{slot}{Environment.NewLine}{Cluster.Describe()}"));

        // Round robin spread the PUTs over the nodes.
        var served = await ServedSinceAsync(before, granted.Count);
        Assert.All(Cluster.Nodes, node => Assert.True(served[node.Name] > 0, $"{node.Name} took none of the PUTs: {Describe(served)}"));

        // The ledger holds exactly what was granted, all of it stored, nothing left reserved.
        var parameters = new Dictionary<string, object> { ["owner"] = $"{User}@{Cluster.Prosody.Domain}" };
        Assert.Equal(
            Fitting * FileSize,
            await Cluster.QueryLedgerAsync<long>("SELECT COALESCE(SUM(size), 0)::bigint FROM slots WHERE owner = @owner AND purpose = 'profile' AND state = 'stored'", parameters, Cancellation));
        Assert.Equal(
            0L,
            await Cluster.QueryLedgerAsync<long>("SELECT COUNT(*) FROM slots WHERE owner = @owner AND state IN ('pending', 'uploading')", parameters, Cancellation));

        // The user sees the same through the XEP-0050 usage command.
        var usage = await Cluster.UsageCommandAsync(User, Cancellation);
        Assert.True(usage.ExitCode == 0, usage.ToString());
        var profile = usage.Json.GetProperty("form").GetProperty("rows").EnumerateArray()
            .Single(row => row.GetProperty("purpose").GetString() == "profile");
        Assert.Equal((Fitting * FileSize).ToString(CultureInfo.InvariantCulture), profile.GetProperty("stored-bytes").GetString());
        Assert.Equal(Fitting.ToString(CultureInfo.InvariantCulture), profile.GetProperty("files").GetString());
        Assert.Equal("0", profile.GetProperty("reserved-bytes").GetString());
        Assert.Equal(ClusterFixture.ProfileQuota.ToString(CultureInfo.InvariantCulture), profile.GetProperty("quota-bytes").GetString());

        // And every stored file is whole on every node.
        using var http = NewHttpClient();
        foreach (var slot in granted)
        {
            var expected = contents[Array.IndexOf(paths, slot.FilePath)];
            foreach (var node in Cluster.Nodes)
            {
                var (status, body) = await GetAsync(http, node.Direct(slot.GetUrl!));
                Assert.Equal(HttpStatusCode.OK, status);
                Assert.True(expected.AsSpan().SequenceEqual(body), $"{node} served other bytes for {slot}");
            }
        }
    }

    protected static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    protected static async Task<string[]> WriteFilesAsync(TemporaryDirectory directory, string prefix, IReadOnlyList<byte[]> contents)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(contents);
        var paths = new string[contents.Count];
        for (var i = 0; i < contents.Count; i++)
        {
            paths[i] = directory.Combine($"{prefix}-{i.ToString("D2", CultureInfo.InvariantCulture)}.bin");
            await File.WriteAllBytesAsync(paths[i], contents[i], Cancellation);
        }

        return paths;
    }

    protected static HttpClient NewHttpClient() => new() { Timeout = TimeSpan.FromSeconds(60) };

    protected static async Task<(HttpStatusCode Status, byte[] Body)> GetAsync(HttpClient http, Uri url, RangeHeaderValue? range = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = range;
        using var response = await http.SendAsync(request, Cancellation);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync(Cancellation));
    }

    /// <summary>
    /// The responses each node sent through the balancer since <paramref name="before"/>, once they add up to
    /// <paramref name="expected"/> (haproxy counts a response as it ends, a moment after the client has it).
    /// </summary>
    protected async Task<IReadOnlyDictionary<string, long>> ServedSinceAsync(IReadOnlyDictionary<string, long> before, int expected)
    {
        ArgumentNullException.ThrowIfNull(before);
        var after = await Cluster.Balancer.WaitForServersAsync(
            servers => servers.Sum(s => s.Responses - before[s.Name]) >= expected,
            TimeSpan.FromSeconds(10),
            Cancellation);
        var served = after.ToDictionary(s => s.Name, s => s.Responses - before[s.Name]);
        Assert.True(served.Values.Sum() == expected, $"the balancer passed on {served.Values.Sum()} responses, not {expected}: {Describe(served)}");
        return served;
    }

    protected static string Describe(IReadOnlyDictionary<string, long> served) =>
        string.Join(", ", served.Select(pair => $"{pair.Key}={pair.Value.ToString(CultureInfo.InvariantCulture)}"));
}
