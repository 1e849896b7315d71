using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using XmppUpload.Core.Addressing;
using XmppUpload.Http.Dav;
using XmppUpload.Storage;

namespace XmppUpload.Interop.Tests;

/// <summary>
/// Debian's litmus, the WebDAV conformance suite, against the WebDAV endpoint on a real Kestrel: every test of its
/// basic, copymove and props suites must pass. Authentication is a test stand-in (Basic, user = JID, no XMPP) until
/// the lead switches this to the XEP-0070 authenticator with a confirming XMPP client.
/// </summary>
public sealed class LitmusTests
{
    private const string User = "litmus@example.org";

    [Fact]
    public async Task Litmus_BasicCopyMoveAndProps_AllPass()
    {
        var litmus = new[] { "/usr/bin/litmus", "/usr/local/bin/litmus" }.FirstOrDefault(File.Exists);
        Assert.True(litmus is not null, "litmus is not installed; apt-get install -y litmus (infra/install-test-deps.sh installs it)");

        var directory = Directory.CreateTempSubdirectory("xmppupload-litmus-").FullName;
        try
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = directory, EnvironmentName = "Testing" });
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:Path"] = directory });
            builder.Services.AddEmbeddedStorage();
            builder.Services.AddWebDav();
            builder.Services.AddSingleton<IDavAuthenticator, BasicJidAuthenticator>();
            await using var app = builder.Build();
            app.MapWebDav();
            await app.StartAsync(TestContext.Current.CancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

            var start = new ProcessStartInfo(litmus, [address.TrimEnd('/') + "/dav/", User, "secret"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = directory,
            };
            start.Environment["TESTS"] = "basic copymove props";
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            var text = await output + await errors;
            TestContext.Current.TestOutputHelper?.WriteLine(text);

            foreach (var suite in new[] { "basic", "copymove", "props" })
            {
                var summary = SummaryPattern(suite).Match(text);
                Assert.True(summary.Success, $"litmus printed no summary for '{suite}':\n{text}");
                Assert.True(summary.Groups["run"].Value == summary.Groups["passed"].Value && summary.Groups["failed"].Value == "0",
                    $"litmus '{suite}': {summary.Value}\n{text}");
            }

            await app.StopAsync(CancellationToken.None);
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary directory harms nothing.
            }
        }
    }

    // "<- summary for `basic': of 16 tests run: 16 passed, 0 failed. 100.0%"
    private static Regex SummaryPattern(string suite) =>
        new($@"summary for `{suite}': of (?<run>\d+) tests run: (?<passed>\d+) passed, (?<failed>\d+) failed");

    /// <summary>Test stand-in for the XEP-0070 authenticator: Basic with the JID as user, any password, no XMPP.</summary>
    private sealed class BasicJidAuthenticator : IDavAuthenticator
    {
        public async ValueTask<DavAuthentication> AuthenticateAsync(HttpContext context, Func<Jid, DavAccess> decide, CancellationToken cancellationToken)
        {
            if (AuthenticationHeaderValue.TryParse(context.Request.Headers.Authorization, out var header)
                && string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) && header.Parameter is { } parameter)
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && Jid.TryParse(decoded[..colon], out var jid))
                {
                    if (decide(jid) == DavAccess.Allowed)
                    {
                        return new DavAuthentication(jid);
                    }

                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return DavAuthentication.ResponseWritten;
                }
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"xmpp\"";
            await context.Response.Body.FlushAsync(cancellationToken);
            return DavAuthentication.ResponseWritten;
        }
    }
}
