using System.Net;
using System.Security.Cryptography;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Slots;
using XmppUpload.Http.Tests.Support;
using XmppUpload.Http.Upload;

namespace XmppUpload.Http.Tests;

/// <summary>
/// A PUT's claim on its slot (Upload:UploadLease): renewed while bytes arrive, taken over by a retry once it lapses,
/// and a ledger that cannot be reached for a while, all on the server's fake clock. A node whose link to the ledger is
/// cut, or that has died, is played by <see cref="SignallingLedger.FailWhen"/> failing the calls of one upload attempt.
/// </summary>
public sealed class PutLeaseTests
{
    private static readonly TimeSpan Lease = UploadOptions.DefaultUploadLease;

    private static readonly TimeSpan RenewalPeriod = Lease / 3;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Put_WhileBytesArrive_RenewsItsLeaseEveryThirdOfIt_SoARetryMeetsALiveUpload()
    {
        await using var server = await UploadServer.StartAsync();
        var body = RandomNumberGenerator.GetBytes(64 * 1024);
        var slot = await server.GrantAsync("renewed.bin", body.Length);
        var started = server.Clock.GetUtcNow();
        await using var upload = await StartPutAsync(server, slot, body, 1000);

        for (var renewal = 1; renewal <= 3; renewal++)
        {
            server.Clock.Advance(RenewalPeriod);
            await server.Ledger.WaitForCallsAsync(c => c is { Operation: LedgerOperation.Renew, Answer: "True" }, renewal);
            Assert.Equal(server.Clock.GetUtcNow() + Lease, (await server.Ledger.FindSlotAsync(slot.Slot.Id, Token))!.UploadLeaseUntil);
        }

        // The first lease has ended: only the renewals keep the slot from a retry.
        Assert.True(server.Clock.GetUtcNow() >= started + Lease);
        using (var retry = await server.PutAsync(slot, body))
        {
            await PutTests.AssertRefusedAsync(retry, HttpStatusCode.Conflict, "in progress");
            Assert.Equal(TimeSpan.FromSeconds(15), retry.Headers.RetryAfter?.Delta);
        }

        await upload.SendAsync(body.AsMemory(1000));
        Assert.Equal(201, (await upload.ReadHeadAsync()).Status);
        await AssertServedAsync(server, slot, body);
    }

    [Fact]
    public async Task Put_EndingWithinAThirdOfItsLease_CommitsWithoutAnotherLedgerWrite()
    {
        await using var server = await UploadServer.StartAsync();
        var body = RandomNumberGenerator.GetBytes(64 * 1024);
        var slot = await server.GrantAsync("quick.bin", body.Length);
        await using var upload = await StartPutAsync(server, slot, body, 1000);
        server.Clock.Advance(RenewalPeriod - TimeSpan.FromMilliseconds(1));

        await upload.SendAsync(body.AsMemory(1000));

        Assert.Equal(201, (await upload.ReadHeadAsync()).Status);
        // The lease the begin recorded still has over two thirds to run: as good as a confirmation, so none is asked.
        Assert.Equal([LedgerOperation.Begin, LedgerOperation.Complete], server.Ledger.History.Where(c => c.SlotId == slot.Slot.Id && c.Answer is not null).Select(c => c.Operation));
        await AssertServedAsync(server, slot, body);
    }

    [Fact]
    public async Task Put_ToASlotWhoseUploadHoldsALiveLease_Is409WithRetryAfterTheLeasesRemainingSeconds()
    {
        await using var server = await UploadServer.StartAsync();
        var body = RandomNumberGenerator.GetBytes(64 * 1024);
        var slot = await server.GrantAsync("busy.bin", body.Length);
        await using var upload = await StartPutAsync(server, slot, body, 1000);
        server.Clock.Advance(TimeSpan.FromSeconds(4));

        using (var retry = await server.PutAsync(slot, body))
        {
            await PutTests.AssertRefusedAsync(retry, HttpStatusCode.Conflict, "another upload to this slot is in progress; if it has stopped, send the PUT again after 11 seconds");
            Assert.Equal("11", Assert.Single(retry.Headers.GetValues("Retry-After")));
        }

        await upload.SendAsync(body.AsMemory(1000));
        Assert.Equal(201, (await upload.ReadHeadAsync()).Status);
        await AssertServedAsync(server, slot, body);
    }

    [Fact]
    public async Task Put_WhoseRenewalsCannotReachTheLedger_GoesOn_AndIsStoredOnceTheLedgerAnswersAgain()
    {
        await using var server = await UploadServer.StartAsync();
        var body = RandomNumberGenerator.GetBytes(64 * 1024);
        var slot = await server.GrantAsync("outage.bin", body.Length);
        await using var upload = await StartPutAsync(server, slot, body, 1000);
        server.Ledger.FailWhen = call => call.Operation == LedgerOperation.Renew;

        server.Clock.Advance(RenewalPeriod);
        await server.Ledger.WaitForCallsAsync(c => c is { Operation: LedgerOperation.Renew, Failed: true });
        server.Clock.Advance(RenewalPeriod);
        await server.Ledger.WaitForCallsAsync(c => c is { Operation: LedgerOperation.Renew, Failed: true }, 2);

        // The whole body arrives while the ledger is still away: the lease is confirmed before the commit, with retries.
        await upload.SendAsync(body.AsMemory(1000));
        await server.Ledger.WaitForCallsAsync(c => c is { Operation: LedgerOperation.Renew, Failed: true }, 3);
        Assert.Equal(SlotState.Uploading, (await server.Ledger.FindSlotAsync(slot.Slot.Id, Token))!.State);
        Assert.False(await server.Blobs.ExistsAsync(slot.Slot.Id, Token));
        server.Ledger.FailWhen = null;
        await AdvanceOnceWaitingAsync(server, LedgerRetry.FirstDelay);

        Assert.Equal(201, (await upload.ReadHeadAsync()).Status);
        await AssertServedAsync(server, slot, body);
    }

    [Fact]
    public async Task Put_AfterTheLeaseOfADeadUploadLapsed_TakesTheSlotOver_AndTheOldUploadStopsAtItsNextRenewal()
    {
        await using var server = await UploadServer.StartAsync();
        var first = RandomNumberGenerator.GetBytes(64 * 1024);
        var second = RandomNumberGenerator.GetBytes(first.Length);
        var slot = await server.GrantAsync("takeover.bin", first.Length);
        await using var stale = await StartPutAsync(server, slot, first, 1000);
        var staleAttempt = server.Ledger.FirstAttemptOf(slot.Slot.Id);
        server.Ledger.FailWhen = call => call.Attempt == staleAttempt;
        server.Clock.Advance(Lease + TimeSpan.FromSeconds(1));
        await server.Ledger.WaitForCallsAsync(c => c is { Operation: LedgerOperation.Renew, Failed: true });

        using (var retry = await server.PutAsync(slot, second))
        {
            Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        }

        await AssertServedAsync(server, slot, second);
        server.Ledger.FailWhen = null;
        server.Clock.Advance(RenewalPeriod);

        // The old upload learns at its next renewal that the slot is another's, and stops before its body has ended.
        var (status, head) = await stale.ReadHeadAsync();
        Assert.Equal(409, status);
        Assert.Contains("another upload took this slot over after 1000 of 65536 bytes", await stale.ReadBodyAsync(head), StringComparison.Ordinal);
        await AssertServedAsync(server, slot, second);
    }

    [Fact]
    public async Task Put_ThatEndsItsBodyAfterBeingTakenOver_CommitsNothingOverTheNewUpload()
    {
        await using var server = await UploadServer.StartAsync();
        var first = RandomNumberGenerator.GetBytes(64 * 1024);
        var second = RandomNumberGenerator.GetBytes(first.Length);
        var slot = await server.GrantAsync("late.bin", first.Length);
        await using var stale = await StartPutAsync(server, slot, first, 1000);
        var staleAttempt = server.Ledger.FirstAttemptOf(slot.Slot.Id);
        server.Ledger.FailWhen = call => call.Attempt == staleAttempt;
        server.Clock.Advance(Lease + TimeSpan.FromSeconds(1));
        await server.Ledger.WaitForCallsAsync(c => c is { Operation: LedgerOperation.Renew, Failed: true });
        using (var retry = await server.PutAsync(slot, second))
        {
            Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        }

        // Its whole body arrives; before committing it must confirm its lease, and it hears that the slot is another's.
        await stale.SendAsync(first.AsMemory(1000));
        await server.Ledger.WaitForCallsAsync(c => c is { Operation: LedgerOperation.Renew, Failed: true }, 2);
        server.Ledger.FailWhen = null;
        await AdvanceOnceWaitingAsync(server, LedgerRetry.FirstDelay);

        var (status, head) = await stale.ReadHeadAsync();
        Assert.Equal(409, status);
        Assert.Contains("nothing of this upload was stored", await stale.ReadBodyAsync(head), StringComparison.Ordinal);
        Assert.DoesNotContain(server.Ledger.History, c => c.Operation == LedgerOperation.Complete && c.Attempt == staleAttempt);
        await AssertServedAsync(server, slot, second);
    }

    [Fact]
    public async Task Put_WhoseCompletionWaitsOutATakeover_IsRefusedAndTheNewUploadsBytesStay()
    {
        await using var server = await UploadServer.StartAsync();
        var first = RandomNumberGenerator.GetBytes(64 * 1024);
        var second = RandomNumberGenerator.GetBytes(first.Length);
        var slot = await server.GrantAsync("recorded-late.bin", first.Length);
        // The first upload's node loses the ledger just as it records its upload: its bytes are committed, not recorded.
        server.Ledger.FailWhen = call => call.Operation == LedgerOperation.Complete;
        await using var stale = await StartPutAsync(server, slot, first, first.Length);
        await server.Ledger.WaitForCallsAsync(c => c is { Operation: LedgerOperation.Complete, Failed: true });
        // From here on the ledger is out of that node's reach only, as a network cut would have it.
        var staleAttempt = server.Ledger.FirstAttemptOf(slot.Slot.Id);
        server.Ledger.FailWhen = call => call.Attempt == staleAttempt;
        await AdvanceOnceWaitingAsync(server, LedgerRetry.FirstDelay, Lease + TimeSpan.FromSeconds(1));
        await server.Ledger.WaitForCallsAsync(c => c is { Operation: LedgerOperation.Complete, Failed: true }, 2);

        using (var retry = await server.PutAsync(slot, second))
        {
            Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        }

        server.Ledger.FailWhen = null;
        await AdvanceOnceWaitingAsync(server, LedgerRetry.FirstDelay * 2);

        var (status, head) = await stale.ReadHeadAsync();
        Assert.Equal(409, status);
        Assert.Contains("no longer held the slot", await stale.ReadBodyAsync(head), StringComparison.Ordinal);
        Assert.Contains(server.Ledger.History, c => c is { Operation: LedgerOperation.Complete, Answer: "False" } && c.Attempt == staleAttempt);
        await AssertServedAsync(server, slot, second);
    }

    [Fact]
    public async Task Put_WhenTheLedgerIsAwayAtCompletion_RetriesWithBackoff_AndAnswers201OnlyOnceStored()
    {
        await using var server = await UploadServer.StartAsync();
        var body = RandomNumberGenerator.GetBytes(64 * 1024);
        var slot = await server.GrantAsync("retried.bin", body.Length);
        server.Ledger.FailWhen = call => call.Operation == LedgerOperation.Complete;

        var put = server.PutAsync(slot, body);
        await server.Ledger.WaitForCallsAsync(c => c is { Operation: LedgerOperation.Complete, Failed: true });
        await AdvanceOnceWaitingAsync(server, LedgerRetry.FirstDelay);
        await server.Ledger.WaitForCallsAsync(c => c is { Operation: LedgerOperation.Complete, Failed: true }, 2);

        Assert.False(put.IsCompleted);
        using (var get = await server.GetAsync(slot.GetUrl))
        {
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }

        server.Ledger.FailWhen = null;
        await AdvanceOnceWaitingAsync(server, LedgerRetry.FirstDelay * 2);

        using var response = await put;
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(SlotState.Stored, (await server.Ledger.FindSlotAsync(slot.Slot.Id, Token))!.State);
        await AssertServedAsync(server, slot, body);
    }

    [Fact]
    public async Task Put_WhenTheLedgerStaysAwayPastTheRetryBudget_Is503WithRetryAfter_ServesNothing_AndTakesARetry()
    {
        await using var server = await UploadServer.StartAsync();
        var body = RandomNumberGenerator.GetBytes(64 * 1024);
        var slot = await server.GrantAsync("gave-up.bin", body.Length);
        server.Ledger.FailWhen = call => call.Operation == LedgerOperation.Complete;
        var started = server.Clock.GetUtcNow();

        var put = server.PutAsync(slot, body);
        await server.Ledger.WaitForCallsAsync(c => c is { Operation: LedgerOperation.Complete, Failed: true });
        var giveUpAt = server.Clock.GetUtcNow() + LedgerRetry.Budget;
        var delay = LedgerRetry.FirstDelay;
        // Each wait is the one the backoff asks for (doubling up to its cap, cut short by the budget): the clock moves
        // only once the server waits for exactly that moment.
        for (var failures = 2; server.Clock.GetUtcNow() < giveUpAt; failures++)
        {
            var left = giveUpAt - server.Clock.GetUtcNow();
            await AdvanceOnceWaitingAsync(server, delay < left ? delay : left);
            await server.Ledger.WaitForCallsAsync(c => c is { Operation: LedgerOperation.Complete, Failed: true }, failures);
            delay = delay * 2 < LedgerRetry.MaxDelay ? delay * 2 : LedgerRetry.MaxDelay;
        }

        using (var refused = await put)
        {
            await PutTests.AssertRefusedAsync(refused, HttpStatusCode.ServiceUnavailable, "could not reach its ledger to record it; it is not served");
            Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        }

        Assert.Equal(started + LedgerRetry.Budget, server.Clock.GetUtcNow());
        using (var get = await server.GetAsync(slot.GetUrl))
        {
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }

        server.Ledger.FailWhen = null;
        using var retry = await server.PutAsync(slot, body);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        await AssertServedAsync(server, slot, body);
    }

    [Fact]
    public async Task Put_WhenTheLedgerCannotBeReachedToBegin_Is503WithRetryAfterAndStoresNothing()
    {
        await using var server = await UploadServer.StartAsync();
        var slot = await server.GrantAsync("a.txt", 5);
        server.Ledger.FailWhen = call => call.Operation == LedgerOperation.Begin;

        using (var refused = await server.PutAsync(slot, "hello"u8.ToArray()))
        {
            await PutTests.AssertRefusedAsync(refused, HttpStatusCode.ServiceUnavailable, "cannot reach its ledger");
            Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
        }

        Assert.False(await server.Blobs.ExistsAsync(slot.Slot.Id, Token));
        server.Ledger.FailWhen = null;
        using var retry = await server.PutAsync(slot, "hello"u8.ToArray());
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
    }

    /// <summary>
    /// Advances the clock by <paramref name="advance"/> (by default <paramref name="wait"/>) once the server waits for
    /// <paramref name="wait"/> from now, as a retry's backoff does: advancing sooner would leave that wait unwoken.
    /// </summary>
    private static async Task AdvanceOnceWaitingAsync(UploadServer server, TimeSpan wait, TimeSpan? advance = null)
    {
        await server.Clock.WaitForTimerAsync(server.Clock.GetUtcNow() + wait).WaitAsync(TimeSpan.FromSeconds(30), Token);
        server.Clock.Advance(advance ?? wait);
    }

    /// <summary>Sends the head and the first <paramref name="count"/> bytes of a PUT, once the ledger has let it begin.</summary>
    private static async Task<RawConnection> StartPutAsync(UploadServer server, GrantedSlot slot, byte[] body, int count)
    {
        var connection = await RawConnection.OpenAsync(server.BaseAddress);
        await connection.SendAsync(
            $"PUT {slot.PutUrl.PathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {UploadServer.TokenOf(slot)}\r\n"
            + $"Content-Length: {body.Length}\r\nExpect: 100-continue\r\n\r\n");
        // Kestrel sends 100 Continue when the handler starts reading the body: after the ledger said Started.
        Assert.Equal(100, (await connection.ReadHeadAsync()).Status);
        await connection.SendAsync(body.AsMemory(0, count));
        return connection;
    }

    private static async Task AssertServedAsync(UploadServer server, GrantedSlot slot, byte[] body)
    {
        using var get = await server.GetAsync(slot.GetUrl);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(body, await get.Content.ReadAsByteArrayAsync(Token));
    }
}
