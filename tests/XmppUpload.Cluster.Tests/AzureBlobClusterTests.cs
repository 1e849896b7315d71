using System.Globalization;
using System.Net;
using XmppUpload.Testing;

namespace XmppUpload.Cluster.Tests;

/// <summary>
/// The cluster on Azure Blob Storage (Azurite): the same promises as on S3, plus WebDAV (XEP-0129) whose XEP-0070
/// confirmations cross nodes, and an upload whose node is killed mid-body and that the client's retry takes over.
/// </summary>
public sealed class AzureBlobClusterTests(AzureBlobWebDavClusterFixture cluster)
    : ClusterTests<AzureBlobWebDavClusterFixture>(cluster), IClassFixture<AzureBlobWebDavClusterFixture>
{
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan LogTimeout = TimeSpan.FromSeconds(10);

    [Fact(Timeout = 300_000)]
    public async Task WebDavThroughTheBalancer_StandbyNodesConfirmThroughTheLinkHolder_AndAnswersAndNonceCountsHoldOnEveryNode()
    {
        var holder = await Cluster.WaitForLinkHolderAsync(RecoveryTimeout, Cancellation);
        string[] aliceTransactions = ["verona-put-0001", "verona-get-0002", "verona-propfind-0003"];
        const string CarolTransaction = "mantua-get-0001";
        await using var alice = await ConfirmingClient.StartAsync(
            Cluster.Prosody, "alice", ClusterFixture.Users["alice"], aliceTransactions, cancellationToken: Cancellation);
        await using var carol = await ConfirmingClient.StartAsync(
            Cluster.Prosody, "carol", ClusterFixture.Users["carol"], [], denyOthers: true, resource: "laptop", cancellationToken: Cancellation);
        using var http = NewHttpClient();
        const string Path = "/dav/verona.bin";
        var file = new Uri(Cluster.Balancer.Url, Path);
        var content = RandomBytes(300_007);

        // Three requests through the balancer, each with a transaction id alice has not used yet, so each one asks her.
        // Round robin hands them to the three nodes in turn: the two on standby cannot reach her themselves.
        var served = new List<(string Transaction, ClusterNode Node)>();
        async Task<HttpResponseMessage> FirstUseAsync(HttpMethod method, string transaction, HttpContent? body = null, params (string, string)[] headers)
        {
            var before = await Cluster.Balancer.ReadResponseCountsAsync(Cancellation);
            var response = await WebDavRequests.SendAsync(http, method, file, WebDavRequests.Basic(alice.FullJid, transaction), Cancellation, body, headers);
            var counts = await ServedSinceAsync(before, 1);
            served.Add((transaction, Cluster.Nodes.Single(node => counts[node.Name] == 1)));
            return response;
        }

        // XEP-0129 section 4: a PUT that never overwrites.
        using (var put = await FirstUseAsync(HttpMethod.Put, aliceTransactions[0], new ByteArrayContent(content), ("If-None-Match", "*")))
        {
            Assert.True(put.StatusCode == HttpStatusCode.Created, $"{put.StatusCode}: {await put.Content.ReadAsStringAsync(Cancellation)}{Environment.NewLine}{Cluster.Describe()}");
        }

        using (var get = await FirstUseAsync(HttpMethod.Get, aliceTransactions[1]))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            var getBody = await get.Content.ReadAsByteArrayAsync(Cancellation);
            Assert.True(content.AsSpan().SequenceEqual(getBody), "the balancer served other bytes");
        }

        using (var propfind = await FirstUseAsync(new HttpMethod("PROPFIND"), aliceTransactions[2], WebDavRequests.PropfindAll(), ("Depth", "0")))
        {
            Assert.Equal((HttpStatusCode)207, propfind.StatusCode);
            Assert.Contains(Path, await propfind.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        // Only the holder talks XMPP: it asked alice each time. A request that a node on standby served was forwarded by
        // that node over PostgreSQL and asked by the holder on its behalf.
        Assert.True(served.Any(request => request.Node != holder), $"round robin gave every request to the holder {holder.Name}");
        foreach (var (transaction, node) in served)
        {
            var hint = WebDavRequests.Hint(transaction);
            await holder.Process!.Process.WaitForOutputAsync($"Asking {alice.FullJid} by IQ to confirm the HTTP request with transaction {hint}", LogTimeout, Cancellation);
            if (node != holder)
            {
                await node.Process!.Process.WaitForOutputAsync(
                    $"Forwarded the confirmation of the HTTP request of {alice.FullJid} with transaction {hint} to the node that holds the component link", LogTimeout, Cancellation);
                await holder.Process!.Process.WaitForOutputAsync($"Asking {alice.FullJid} to confirm transaction {hint} for another node", LogTimeout, Cancellation);
            }

            Assert.All(Cluster.Nodes.Where(other => other != holder), other =>
                Assert.DoesNotContain($"by IQ to confirm the HTTP request with transaction {hint}", other.Output, StringComparison.Ordinal));
        }

        // Her answers are PostgreSQL's: every node serves the PUT's bytes to the PUT's credentials without asking again.
        foreach (var node in Cluster.Nodes)
        {
            using var get = await WebDavRequests.SendAsync(http, HttpMethod.Get, node.Direct(file), WebDavRequests.Basic(alice.FullJid, aliceTransactions[0]), Cancellation);
            Assert.True(get.StatusCode == HttpStatusCode.OK, $"{node} answered {get.StatusCode} to credentials confirmed through another node");
            var getBody = await get.Content.ReadAsByteArrayAsync(Cancellation);
            Assert.True(content.AsSpan().SequenceEqual(getBody), $"{node} served other bytes");
        }

        // XEP-0129 section 5: the jidlist admits carol's client; she denies, through whichever node asks, and the denial
        // is what every node answers afterwards, without asking her again.
        using (var patch = await WebDavRequests.SendAsync(
            http, new HttpMethod("PROPPATCH"), file, WebDavRequests.Basic(alice.FullJid, aliceTransactions[0]), Cancellation, WebDavRequests.JidList(carol.FullJid)))
        {
            Assert.Equal((HttpStatusCode)207, patch.StatusCode);
            Assert.Contains("200 OK", await patch.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        var asCarol = WebDavRequests.Basic(carol.FullJid, CarolTransaction);
        foreach (var target in (Uri[])[file, .. Cluster.Nodes.Select(node => node.Direct(file))])
        {
            using var denied = await WebDavRequests.SendAsync(http, HttpMethod.Get, target, asCarol, Cancellation);
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Contains("denied by", await denied.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        // Digest (XEP-0070 section 4.3.2, RFC 7616 section 3.4): a nonce the balancer's node gave is good on the first
        // node, and the nonce count used there is a replay on every other node.
        var challenge = await WebDavRequests.ChallengeAsync(http, file, Cancellation);
        var digest = WebDavRequests.Digest(alice.FullJid, aliceTransactions[0], challenge, "GET", Path, "00000001");
        using (var get = await WebDavRequests.SendAsync(http, HttpMethod.Get, Cluster.Nodes[0].Direct(file), digest, Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            var getBody = await get.Content.ReadAsByteArrayAsync(Cancellation);
            Assert.True(content.AsSpan().SequenceEqual(getBody), "Digest GET served other bytes");
        }

        foreach (var node in Cluster.Nodes.Skip(1))
        {
            using var replay = await WebDavRequests.SendAsync(http, HttpMethod.Get, node.Direct(file), digest, Cancellation);
            Assert.True(replay.StatusCode == HttpStatusCode.Unauthorized, $"{node} answered {replay.StatusCode} to a replayed nonce count");
            Assert.Contains("nonce count was already used", await replay.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        // Each transaction id was asked exactly once, however many nodes served it; carol's only answer was her denial.
        var aliceAsked = await alice.StopAsync(Cancellation);
        Assert.Equal(aliceTransactions, aliceAsked.Select(request => request.GetProperty("id").GetString()));
        Assert.All(aliceAsked, request => Assert.Equal("iq", request.GetProperty("via").GetString()));
        var carolAsked = Assert.Single(await carol.StopAsync(Cancellation));
        Assert.Equal(CarolTransaction, carolAsked.GetProperty("id").GetString());
        Assert.Equal("denied", carolAsked.GetProperty("answer").GetString());
    }

    [Fact(Timeout = 300_000)]
    public async Task NodeKilledMidUpload_TheRetryThroughTheBalancerIsStoredBeforeTheDeadline_NothingPartialIsEverServed_AndTheOtherNodesKeepServing()
    {
        const string User = "bob";
        var holder = await Cluster.WaitForLinkHolderAsync(RecoveryTimeout, Cancellation);
        // Not the link holder: this test is about uploads; the holder's death is the S3 class's.
        var victim = Cluster.Nodes.First(node => node != holder);
        var survivors = Cluster.Nodes.Where(node => node != victim).ToList();
        using var files = TemporaryDirectory.Create("cluster-upload-takeover");
        // Half of it, sent before the kill, is more than an Azure block: the dead node had begun staging blocks.
        var first = RandomBytes(10 * 1024 * 1024 + 17);
        var retried = RandomBytes(first.Length);
        var paths = await WriteFilesAsync(files, "takeover", [retried]);
        var slot = Assert.Single(await Cluster.RequestSlotsAsync(User, paths, slotOnly: true, cancellationToken: Cancellation));
        Assert.True(slot.Granted, slot.ToString());
        var deadline = DateTimeOffset.FromUnixTimeMilliseconds(await Cluster.QueryLedgerAsync<long>(
            "SELECT put_deadline FROM slots WHERE id = @id", new Dictionary<string, object> { ["id"] = slot.SlotId }, Cancellation));
        using var http = NewHttpClient();

        // From before the upload begins until its retry is stored, GETs go through the balancer and to each surviving
        // node in turn: each finds no file or the whole retried file, never a part of either upload.
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        var watcher = Task.Run(() => WatchGetsAsync(slot, retried, [Cluster.Balancer.Url, .. survivors.Select(node => node.Url)], stopWatching.Token), Cancellation);
        try
        {
            var held = HeldUpload.Start(http, slot, victim.Direct(slot.PutUrl!), first, Cancellation);
            await StateWait.UntilAsync(
                $"{victim.Name} has begun the upload in the ledger",
                async token => await UploadOfAsync(slot.SlotId, token) is ("uploading", _, var node) && node == victim.Name,
                RecoveryTimeout,
                Cancellation);
            var (_, deadAttempt, _) = await UploadOfAsync(slot.SlotId, Cancellation);

            await Cluster.KillNodeAsync(victim.Index);
            held.Release();
            Assert.Null(await held.Answer);

            // The client sends the whole file again through the balancer, as told by Retry-After, until it is stored:
            // 409 while the dead node's lease runs, then the retry takes the slot over.
            var answers = new List<int>();
            while (true)
            {
                Assert.True(DateTimeOffset.UtcNow < deadline, $"no retry was stored before the slot's deadline: {string.Join(", ", answers)}");
                using var put = new HttpRequestMessage(HttpMethod.Put, slot.PutUrl) { Content = new ByteArrayContent(retried) };
                foreach (var (name, value) in slot.PutHeaders)
                {
                    put.Headers.TryAddWithoutValidation(name, value);
                }

                using var response = await http.SendAsync(put, Cancellation);
                answers.Add((int)response.StatusCode);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    break;
                }

                Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync(Cancellation)}{Environment.NewLine}{Cluster.Describe()}");
                var retryAfter = response.Headers.RetryAfter?.Delta;
                Assert.NotNull(retryAfter);
                Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), AzureBlobWebDavClusterFixture.UploadLease);
                // The dead node's lease runs on the nodes' real clocks; Retry-After is when the service says it lapses.
                await Task.Delay(retryAfter.Value, Cancellation);
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, "the retry was stored after the slot's deadline");
            await stopWatching.CancelAsync();
            var watched = await watcher;
            TestContext.Current.TestOutputHelper?.WriteLine($"Retries: {string.Join(", ", answers)}; GETs meanwhile: {Describe(watched)}");
            Assert.True(watched.GetValueOrDefault(404) > 0, $"no GET was answered while the upload was open: {Describe(watched)}");

            // The ledger holds the retry's attempt, not the dead one's; the surviving node that took it says so.
            var (state, attempt, _) = await UploadOfAsync(slot.SlotId, Cancellation);
            Assert.Equal("stored", state);
            Assert.NotEqual(deadAttempt, attempt);
            Assert.Single(survivors, node => node.Output.Contains($"PUT {slot.SlotId} took the slot over", StringComparison.Ordinal));

            // Every surviving node and the balancer serve the retried bytes.
            foreach (var url in (Uri[])[slot.GetUrl!, .. survivors.Select(node => node.Direct(slot.GetUrl!))])
            {
                var (status, body) = await GetAsync(http, url);
                Assert.Equal(HttpStatusCode.OK, status);
                Assert.True(retried.AsSpan().SequenceEqual(body), $"{url} served other bytes than the retry's");
            }

            // The others keep serving new uploads through the balancer, which has taken the dead node out of the rotation.
            await Cluster.Balancer.WaitForServersAsync(servers => servers.Single(s => s.Name == victim.Name).IsDown, RecoveryTimeout, Cancellation);
            var after = RandomBytes(200_003);
            var afterPaths = await WriteFilesAsync(files, "after-kill", [after]);
            var before = await Cluster.Balancer.ReadResponseCountsAsync(Cancellation);
            var next = Assert.Single(await Cluster.RequestSlotsAsync(User, afterPaths, putBases: [Cluster.Balancer.Url], cancellationToken: Cancellation));
            Assert.True(next.Granted && next.PutStatus == 201, $"{next}{Environment.NewLine}{Cluster.Describe()}");
            for (var round = 0; round < survivors.Count; round++)
            {
                var (status, body) = await GetAsync(http, next.GetUrl!);
                Assert.Equal(HttpStatusCode.OK, status);
                Assert.True(after.AsSpan().SequenceEqual(body), $"the balancer served other bytes for {next}");
            }

            var counts = await ServedSinceAsync(before, 1 + survivors.Count);
            Assert.Equal(0, counts[victim.Name]);
            Assert.All(survivors, node => Assert.True(counts[node.Name] > 0, $"{node.Name} served nothing after {victim.Name} died: {Describe(counts)}"));
        }
        finally
        {
            await stopWatching.CancelAsync();
            await watcher.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            // The class's other tests expect three nodes: the killed one comes back where the balancer expects it.
            if (victim.Process is null)
            {
                await Cluster.StartNodeAsync(victim.Index, Cancellation);
                await Cluster.WaitForBalancedNodesAsync(RecoveryTimeout, Cancellation);
            }
        }
    }

    /// <summary>
    /// GETs <paramref name="slot"/>'s URL at each of <paramref name="bases"/> in turn until stopped; every answer must be
    /// 404 or 200 with the whole of <paramref name="expected"/>. Returns how many GETs got each status.
    /// </summary>
    private static async Task<Dictionary<int, int>> WatchGetsAsync(SlotOutcome slot, byte[] expected, IReadOnlyList<Uri> bases, CancellationToken stop)
    {
        using var http = NewHttpClient();
        var statuses = new Dictionary<int, int>();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var url = new UriBuilder(slot.GetUrl!) { Port = bases[i % bases.Count].Port }.Uri;
            HttpStatusCode status;
            byte[] body;
            try
            {
                using var response = await http.GetAsync(url, stop);
                status = response.StatusCode;
                body = await response.Content.ReadAsByteArrayAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }

            Assert.True(
                status == HttpStatusCode.NotFound || (status == HttpStatusCode.OK && expected.AsSpan().SequenceEqual(body)),
                $"{url} answered {status} with {body.Length} bytes while the upload was being retried");
            statuses[(int)status] = statuses.GetValueOrDefault((int)status) + 1;
        }

        return statuses;
    }

    private static string Describe(Dictionary<int, int> statuses) =>
        string.Join(", ", statuses.OrderBy(pair => pair.Key).Select(pair =>
            $"{pair.Key.ToString(CultureInfo.InvariantCulture)} x {pair.Value.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>The slot's state, upload attempt and uploading node, as the ledger holds them.</summary>
    private async Task<(string State, string? Attempt, string? Node)> UploadOfAsync(string slotId, CancellationToken cancellationToken)
    {
        var row = await Cluster.QueryLedgerAsync<string>(
            "SELECT state || '|' || COALESCE(upload_attempt, '') || '|' || COALESCE(upload_node, '') FROM slots WHERE id = @id",
            new Dictionary<string, object> { ["id"] = slotId },
            cancellationToken);
        var parts = row.Split('|');
        return (parts[0], parts[1].Length == 0 ? null : parts[1], parts[2].Length == 0 ? null : parts[2]);
    }
}
