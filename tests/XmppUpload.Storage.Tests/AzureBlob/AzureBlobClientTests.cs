using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using XmppUpload.Storage.AzureBlob;

namespace XmppUpload.Storage.Tests.AzureBlob;

/// <summary>Answers a real service will not give on demand (throttling, a dropped connection), from a fake handler.</summary>
public sealed class AzureBlobClientTests
{
    private static readonly AzureStorageConnectionString Account = AzureStorageConnectionString.Parse("UseDevelopmentStorage=true");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TransientFailures_AreRetriedWithGrowingDelaysAndTheSameClientRequestId()
    {
        var handler = new ScriptedHandler(
            _ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Headers = { { "x-ms-error-code", "ServerBusy" } } },
            _ => throw new HttpRequestException("connection reset"),
            _ => new HttpResponseMessage(HttpStatusCode.Created));
        var time = new ImmediateTimeProvider();
        using var client = new AzureBlobClient(Account, "uploads", time, NullLogger.Instance, handler);

        await client.PutBlockAsync("abc", "YWJj", "hello"u8.ToArray(), Ct);

        Assert.Equal(3, handler.Requests.Count);
        Assert.Single(handler.Requests.Select(r => r.ClientRequestId).Distinct());
        Assert.All(handler.Requests, r => Assert.Equal("hello", r.Body));
        Assert.Equal(2, time.Delays.Count);
        Assert.InRange(time.Delays[0], TimeSpan.FromMilliseconds(150), TimeSpan.FromMilliseconds(250));
        Assert.InRange(time.Delays[1], TimeSpan.FromMilliseconds(600), TimeSpan.FromMilliseconds(1000));
    }

    [Fact]
    public async Task TransientFailures_ThatLast_EndInTheServiceError()
    {
        var handler = new ScriptedHandler(_ => Error(HttpStatusCode.ServiceUnavailable, "ServerBusy", "The server is busy."));
        using var client = new AzureBlobClient(Account, "uploads", new ImmediateTimeProvider(), NullLogger.Instance, handler);

        var exception = await Assert.ThrowsAsync<AzureBlobStorageException>(() => client.DeleteBlobAsync("abc", Ct));

        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, exception.StatusCode);
        Assert.Equal("ServerBusy", exception.ErrorCode);
    }

    [Fact]
    public async Task NoAnswerAtAll_EndsInAStorageExceptionWithTheCause()
    {
        var handler = new ScriptedHandler(_ => throw new HttpRequestException("Connection refused (127.0.0.1:10000)"));
        using var client = new AzureBlobClient(Account, "uploads", new ImmediateTimeProvider(), NullLogger.Instance, handler);

        var exception = await Assert.ThrowsAsync<AzureBlobStorageException>(() => client.GetBlobLengthAsync("abc", Ct));

        Assert.Null(exception.StatusCode);
        Assert.IsType<HttpRequestException>(exception.InnerException);
        Assert.Contains("Connection refused", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusal_IsNotRetriedAndCarriesCodeMessageAndRequestId()
    {
        var handler = new ScriptedHandler(_ => Error(
            HttpStatusCode.BadRequest,
            "InvalidBlockList",
            "The specified block list is invalid.\nRequestId:5ce0b3a4-0001\nTime:2026-11-22T12:00:00.0000000Z"));
        using var client = new AzureBlobClient(Account, "uploads", new ImmediateTimeProvider(), NullLogger.Instance, handler);

        var exception = await Assert.ThrowsAsync<AzureBlobStorageException>(() => client.PutBlockListAsync("abc", ["YWJj"], Ct));

        Assert.Single(handler.Requests);
        Assert.Equal("InvalidBlockList", exception.ErrorCode);
        Assert.Equal("req-1", exception.RequestId);
        Assert.Equal(
            "Put Block List of /devstoreaccount1/uploads/abc failed: 400 InvalidBlockList: The specified block list is invalid. (x-ms-request-id req-1)",
            exception.Message);
    }

    [Fact]
    public async Task CallerCancellation_IsNotRetried()
    {
        using var cancellation = new CancellationTokenSource();
        var handler = new ScriptedHandler(_ =>
        {
            cancellation.Cancel();
            throw new TaskCanceledException();
        });
        using var client = new AzureBlobClient(Account, "uploads", new ImmediateTimeProvider(), NullLogger.Instance, handler);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetBlobLengthAsync("abc", cancellation.Token));

        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Requests_CarryDateVersionAndASharedKeySignature()
    {
        var handler = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.Created));
        var time = new ImmediateTimeProvider();
        using var client = new AzureBlobClient(Account, "uploads", time, NullLogger.Instance, handler);

        Assert.True(await client.CreateContainerAsync(Ct));

        var request = Assert.Single(handler.Requests);
        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1/uploads?restype=container", request.Uri);
        Assert.Equal(time.GetUtcNow().ToString("R"), request.Date);
        Assert.Equal(AzureBlobClient.ServiceVersion, request.Version);
        Assert.StartsWith("SharedKey devstoreaccount1:", request.Authorization, StringComparison.Ordinal);
    }

    private static HttpResponseMessage Error(HttpStatusCode status, string code, string message) => new(status)
    {
        Headers = { { "x-ms-error-code", code }, { "x-ms-request-id", "req-1" } },
        Content = new StringContent(
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>",
            Encoding.UTF8,
            "application/xml"),
    };

    private sealed record SeenRequest(string Uri, string? ClientRequestId, string? Date, string? Version, string? Authorization, string? Body);

    private sealed class ScriptedHandler(params Func<HttpRequestMessage, HttpResponseMessage>[] answers) : HttpMessageHandler
    {
        public List<SeenRequest> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(new SeenRequest(
                request.RequestUri!.ToString(),
                Header(request, "x-ms-client-request-id"),
                Header(request, "x-ms-date"),
                Header(request, "x-ms-version"),
                request.Headers.Authorization?.ToString(),
                request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken)));
            return answers[Math.Min(Requests.Count, answers.Length) - 1](request);
        }

        private static string? Header(HttpRequestMessage request, string name) =>
            request.Headers.TryGetValues(name, out var values) ? values.Single() : null;
    }

    /// <summary>Real wall-clock reads, but every timer fires at once: retry delays are recorded, not waited for.</summary>
    private sealed class ImmediateTimeProvider : TimeProvider
    {
        public List<TimeSpan> Delays { get; } = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Delays.Add(dueTime);
            return base.CreateTimer(callback, state, TimeSpan.Zero, period);
        }
    }
}
