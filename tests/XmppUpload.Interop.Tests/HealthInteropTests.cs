using System.Globalization;
using System.Net;
using XmppUpload.Testing;

namespace XmppUpload.Interop.Tests;

/// <summary>The node's health endpoints as a load balancer sees them, with real parts going away under it.</summary>
public sealed class HealthInteropTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = 180_000)]
    public async Task Ready_FollowsTheBlobStoreBothWaysAndOnlyReportsTheLink()
    {
        var s3 = await S3rverServer.StartAsync(cancellationToken: Cancellation);
        var prosody = await ProsodyServer.StartAsync(cancellationToken: Cancellation);
        try
        {
            await using var node = await NodeProcess.StartAsync(
                new Dictionary<string, string>
                {
                    ["Xmpp:Server"] = $"127.0.0.1:{prosody.ComponentPort.ToString(CultureInfo.InvariantCulture)}",
                    ["Xmpp:Domain"] = prosody.ComponentDomain,
                    ["Xmpp:Secret"] = prosody.ComponentSecret,
                    ["BlobStore:Provider"] = "S3",
                    ["BlobStore:S3:ServiceUrl"] = s3.ServiceUrl,
                    ["BlobStore:S3:Bucket"] = s3.Bucket,
                    ["BlobStore:S3:AccessKey"] = S3rverServer.AccessKey,
                    ["BlobStore:S3:SecretKey"] = S3rverServer.SecretKey,
                },
                cancellationToken: Cancellation);
            using var http = new HttpClient { BaseAddress = node.PublicUrl, Timeout = TimeSpan.FromSeconds(60) };

            Assert.Equal((HttpStatusCode.OK, "Healthy"), await GetAsync(http, "health/ready"));

            // The XMPP server goes away: uploads and downloads still work, so the node stays ready, but degraded.
            await prosody.DisposeAsync();
            await node.Process.WaitForOutputAsync("is down", TimeSpan.FromSeconds(30), Cancellation);
            Assert.Equal((HttpStatusCode.OK, "Degraded"), await GetAsync(http, "health/ready"));

            // The object store goes away: every upload would fail, so the node is not ready; it is still alive.
            await s3.StopAsync();
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), await GetAsync(http, "health/ready"));
            Assert.Equal((HttpStatusCode.OK, "Healthy"), await GetAsync(http, "health/live"));

            // It comes back: the same node process is ready again at the next probe (degraded: Prosody is still gone).
            await s3.StartAgainAsync(Cancellation);
            Assert.Equal((HttpStatusCode.OK, "Degraded"), await GetAsync(http, "health/ready"));
        }
        finally
        {
            await prosody.DisposeAsync();
            await s3.DisposeAsync();
        }
    }

    private static async Task<(HttpStatusCode, string)> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), Cancellation);
        return (response.StatusCode, (await response.Content.ReadAsStringAsync(Cancellation)).Trim());
    }
}
