using Microsoft.AspNetCore.Http;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.HttpAuth;

namespace XmppUpload.Http.Tests.DavAuth;

/// <summary>
/// Issue 4: a confirmed (JID, transaction id) pair is reused for WebDav:CredentialLifetime, concurrent requests share
/// one prompt, and prompts to one JID are rate-limited (XEP-0070 section 7).
/// </summary>
public sealed class ConfirmationReuseTests
{
    private const string Juliet = "juliet@capulet.com/balcony";
    private const string TransactionId = "a7374jnjlalasdf82";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConfirmedPair_WithinLifetime_IsAcceptedWithoutAnotherPrompt()
    {
        var harness = new DavAuthHarness(o => o.CredentialLifetime = TimeSpan.FromMinutes(10));
        await harness.SendAsync(DavAuthHarness.Basic(Juliet, TransactionId), Token);
        harness.Clock.Advance(TimeSpan.FromMinutes(9));

        var context = DavAuthHarness.Request(DavAuthHarness.Basic(Juliet, TransactionId), "PROPFIND", "/dav/other.html");
        var (result, _) = await harness.SendAsync(context, Token);

        Assert.Equal(Jid.Parse(Juliet), result.Jid);
        Assert.Single(harness.Confirmer.Calls);
        Assert.Equal(2, harness.Decided.Count);
    }

    [Fact]
    public async Task ConfirmedPair_AfterLifetime_IsPromptedAgain()
    {
        var harness = new DavAuthHarness(o => o.CredentialLifetime = TimeSpan.FromMinutes(10));
        await harness.SendAsync(DavAuthHarness.Basic(Juliet, TransactionId), Token);
        harness.Clock.Advance(TimeSpan.FromMinutes(10));

        var (result, _) = await harness.SendAsync(DavAuthHarness.Basic(Juliet, TransactionId), Token);

        Assert.True(result.IsAuthenticated);
        Assert.Equal(2, harness.Confirmer.Calls.Count);
    }

    [Fact]
    public async Task OtherTransactionId_IsPromptedAgain()
    {
        var harness = new DavAuthHarness();
        await harness.SendAsync(DavAuthHarness.Basic(Juliet, TransactionId), Token);

        await harness.SendAsync(DavAuthHarness.Basic(Juliet, "b8485kokmbmbteg93"), Token);

        Assert.Equal(["a7374jnjlalasdf82", "b8485kokmbmbteg93"], harness.Confirmer.Calls.Select(c => c.TransactionId));
    }

    [Fact]
    public async Task OtherResourceOfTheSameAccount_IsPromptedAgain()
    {
        var harness = new DavAuthHarness();
        await harness.SendAsync(DavAuthHarness.Basic(Juliet, TransactionId), Token);

        var (result, _) = await harness.SendAsync(DavAuthHarness.Basic("juliet@capulet.com/chamber", TransactionId), Token);

        Assert.Equal(Jid.Parse("juliet@capulet.com/chamber"), result.Jid);
        Assert.Equal(2, harness.Confirmer.Calls.Count);
    }

    [Fact]
    public async Task CachedPair_WhenDecideForbids_IsStillForbidden()
    {
        var harness = new DavAuthHarness();
        await harness.SendAsync(DavAuthHarness.Basic(Juliet, TransactionId), Token);
        harness.Access = XmppUpload.Http.Dav.DavAccess.Forbidden;

        var (result, context) = await harness.SendAsync(DavAuthHarness.Basic(Juliet, TransactionId), Token);

        Assert.False(result.IsAuthenticated);
        Assert.Equal(StatusCodes.Status403Forbidden, context.Response.StatusCode);
    }

    [Fact]
    public async Task DeniedPair_IsRefusedAgainWithoutAnotherPrompt()
    {
        var harness = new DavAuthHarness();
        harness.Confirmer.Outcome = ConfirmationOutcome.Denied;
        await harness.SendAsync(DavAuthHarness.Basic(Juliet, TransactionId), Token);
        harness.Confirmer.Outcome = ConfirmationOutcome.Confirmed;

        var (result, context) = await harness.SendAsync(DavAuthHarness.Basic(Juliet, TransactionId), Token);

        Assert.False(result.IsAuthenticated);
        Assert.Equal(StatusCodes.Status403Forbidden, context.Response.StatusCode);
        Assert.Single(harness.Confirmer.Calls);
    }

    [Fact]
    public async Task UnansweredPair_IsPromptedAgainOnRetry()
    {
        var harness = new DavAuthHarness();
        harness.Confirmer.Outcome = ConfirmationOutcome.NoAnswer;
        await harness.SendAsync(DavAuthHarness.Basic(Juliet, TransactionId), Token);
        harness.Confirmer.Outcome = ConfirmationOutcome.Confirmed;

        var (result, _) = await harness.SendAsync(DavAuthHarness.Basic(Juliet, TransactionId), Token);

        Assert.True(result.IsAuthenticated);
        Assert.Equal(2, harness.Confirmer.Calls.Count);
    }

    [Fact]
    public async Task ShortTransactionId_IsConfirmedForEveryRequest()
    {
        var harness = new DavAuthHarness();
        await harness.SendAsync(DavAuthHarness.Basic(Juliet, "1234"), Token);

        var (result, _) = await harness.SendAsync(DavAuthHarness.Basic(Juliet, "1234"), Token);

        Assert.True(result.IsAuthenticated);
        Assert.Equal(2, harness.Confirmer.Calls.Count);
    }

    [Fact]
    public async Task ConcurrentRequests_WithTheSamePendingPair_ShareOnePrompt()
    {
        var harness = new DavAuthHarness();
        harness.Confirmer.Hold = new TaskCompletionSource<ConfirmationOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = harness.SendAsync(DavAuthHarness.Basic(Juliet, TransactionId), Token);
        await harness.Confirmer.Called.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        var second = harness.SendAsync(DavAuthHarness.Request(DavAuthHarness.Basic(Juliet, TransactionId), "HEAD"), Token);
        Assert.False(second.IsCompleted);
        harness.Confirmer.Hold.SetResult(ConfirmationOutcome.Confirmed);

        var results = await Task.WhenAll(first, second);

        Assert.All(results, r => Assert.Equal(Jid.Parse(Juliet), r.Result.Jid));
        Assert.Single(harness.Confirmer.Calls);
    }

    [Fact]
    public async Task ConcurrentRequests_WithTheSamePendingPair_AllSeeADenial()
    {
        var harness = new DavAuthHarness();
        harness.Confirmer.Hold = new TaskCompletionSource<ConfirmationOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = harness.SendAsync(DavAuthHarness.Basic(Juliet, TransactionId), Token);
        await harness.Confirmer.Called.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        var second = harness.SendAsync(DavAuthHarness.Basic(Juliet, TransactionId), Token);
        harness.Confirmer.Hold.SetResult(ConfirmationOutcome.Denied);

        var results = await Task.WhenAll(first, second);

        Assert.All(results, r => Assert.Equal(StatusCodes.Status403Forbidden, r.Context.Response.StatusCode));
        Assert.Single(harness.Confirmer.Calls);
    }

    [Fact]
    public async Task WaitingRequest_WhenItsClientGoesAway_IsCancelledButTheAnswerIsKept()
    {
        var harness = new DavAuthHarness();
        harness.Confirmer.Hold = new TaskCompletionSource<ConfirmationOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var gone = CancellationTokenSource.CreateLinkedTokenSource(Token);

        var abandoned = harness.SendAsync(DavAuthHarness.Basic(Juliet, TransactionId), gone.Token);
        await harness.Confirmer.Called.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        await gone.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        harness.Confirmer.Hold.SetResult(ConfirmationOutcome.Confirmed);
        var retried = await harness.SendAsync(DavAuthHarness.Basic(Juliet, TransactionId), Token);

        Assert.True(retried.Result.IsAuthenticated);
        Assert.Single(harness.Confirmer.Calls);
    }

    [Fact]
    public async Task ConfirmerIgnoringItsTimeout_IsCutOffAndTheRequestIsChallengedAgain()
    {
        var harness = new DavAuthHarness(o => o.ConfirmTimeout = TimeSpan.FromSeconds(60));
        harness.Confirmer.Hold = new TaskCompletionSource<ConfirmationOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);

        var pending = harness.SendAsync(DavAuthHarness.Basic(Juliet, TransactionId), Token);
        await harness.Confirmer.Called.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        harness.Clock.Advance(TimeSpan.FromSeconds(66));
        var (result, context) = await pending.WaitAsync(TimeSpan.FromSeconds(10), Token);

        Assert.False(result.IsAuthenticated);
        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
    }

    [Fact]
    public async Task Prompts_BeyondTheRateLimit_AreRefusedWith429AndRetryAfterAndNobodyIsPrompted()
    {
        var harness = new DavAuthHarness(o =>
        {
            o.PromptsPerWindow = 2;
            o.PromptWindow = TimeSpan.FromMinutes(1);
        });
        await harness.SendAsync(DavAuthHarness.Basic(Juliet, "transaction-1"), Token);
        harness.Clock.Advance(TimeSpan.FromSeconds(20));
        await harness.SendAsync(DavAuthHarness.Basic("juliet@capulet.com/chamber", "transaction-2"), Token);

        var (result, context) = await harness.SendAsync(DavAuthHarness.Basic("juliet@capulet.com", "transaction-3"), Token);

        Assert.False(result.IsAuthenticated);
        Assert.Equal(StatusCodes.Status429TooManyRequests, context.Response.StatusCode);
        Assert.Equal("40", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal(0, context.Response.Headers.WWWAuthenticate.Count);
        Assert.Equal(2, harness.Confirmer.Calls.Count);
    }

    [Fact]
    public async Task RateLimit_CountsEachJidApartAndFreesUpAfterTheWindow()
    {
        var harness = new DavAuthHarness(o =>
        {
            o.PromptsPerWindow = 1;
            o.PromptWindow = TimeSpan.FromMinutes(1);
        });
        await harness.SendAsync(DavAuthHarness.Basic(Juliet, "transaction-1"), Token);

        var (romeo, _) = await harness.SendAsync(DavAuthHarness.Basic("romeo@montague.net", "transaction-1"), Token);
        var (limited, _) = await harness.SendAsync(DavAuthHarness.Basic(Juliet, "transaction-2"), Token);
        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        var (later, _) = await harness.SendAsync(DavAuthHarness.Basic(Juliet, "transaction-2"), Token);

        Assert.True(romeo.IsAuthenticated);
        Assert.False(limited.IsAuthenticated);
        Assert.True(later.IsAuthenticated);
        Assert.Equal(3, harness.Confirmer.Calls.Count);
    }

    [Fact]
    public async Task RateLimit_DoesNotStopAConfirmedPair()
    {
        var harness = new DavAuthHarness(o => o.PromptsPerWindow = 1);
        await harness.SendAsync(DavAuthHarness.Basic(Juliet, TransactionId), Token);
        await harness.SendAsync(DavAuthHarness.Basic(Juliet, "another-transaction"), Token);

        var (result, _) = await harness.SendAsync(DavAuthHarness.Basic(Juliet, TransactionId), Token);

        Assert.True(result.IsAuthenticated);
        Assert.Single(harness.Confirmer.Calls);
    }
}
