using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using XmppUpload.Core.Tokens;
using XmppUpload.Storage.Postgres;
using XmppUpload.Testing;

namespace XmppUpload.Interop.Tests;

/// <summary>
/// XEP-0129 WebDAV on the cluster ledger, end to end: real node processes on a private PostgreSQL, a real Prosody, and
/// real slixmpp clients answering the XEP-0070 confirmations. Two nodes on one database and one bucket, as behind a
/// round-robin balancer, serve each other's files and honour each other's nonces and users' answers.
/// </summary>
public sealed partial class ClusterWebDavInteropTests
{
    private const string Xep0129 = "http://www.xmpp.org/extensions/xep-0129.html#ns";

    private static readonly Dictionary<string, string> Users = new()
    {
        ["alice"] = "alice-password",
        ["bob"] = "bob-password",
        ["carol"] = "carol-password",
    };

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = 180_000)]
    public async Task NodeOnPostgreSql_ServesTheXep0129Flow_WithARealConfirmation_AndKeepsTheTreeInTheDatabase()
    {
        await using var postgres = await PostgresServer.StartAsync(Cancellation);
        var database = postgres.ConnectionString(await postgres.CreateDatabaseAsync(Cancellation));
        await SeedSigningKeyAsync(database);
        await using var prosody = await ProsodyServer.StartAsync(new ProsodyOptions { Users = Users }, Cancellation);
        await using var node = await NodeProcess.StartAsync(
            new Dictionary<string, string>(LinkedTo(prosody))
            {
                ["Ledger:Provider"] = "Postgres",
                ["ConnectionStrings:Ledger"] = database,
                ["WebDav:ConfirmTimeout"] = "00:00:20",
            },
            cancellationToken: Cancellation);
        var domain = prosody.Domain;
        await using var alice = await ConfirmingClient.StartAsync(prosody, "alice", Users["alice"], ["alice-txn-0001"], cancellationToken: Cancellation);
        await using var bob = await ConfirmingClient.StartAsync(prosody, "bob", Users["bob"], ["bob-txn-0001"], cancellationToken: Cancellation);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var missive = new Uri(node.PublicUrl, "dav/missive.html");
        var content = Encoding.UTF8.GetBytes("<p>But soft, what light through yonder window breaks?</p>");
        var asAlice = Basic(alice.FullJid, "alice-txn-0001");
        var asBob = Basic($"bob@{domain}", "bob-txn-0001");

        // XEP-0129 section 4: PUT with If-None-Match, confirmed by alice's client over XMPP.
        using (var put = await SendAsync(http, HttpMethod.Put, missive, asAlice, new ByteArrayContent(content), ("If-None-Match", "*")))
        {
            Assert.True(put.StatusCode == HttpStatusCode.Created, $"{put.StatusCode}\n{node.Process.Output}");
        }

        using (var get = await SendAsync(http, HttpMethod.Get, missive, asAlice))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(content, await get.Content.ReadAsByteArrayAsync(Cancellation));
        }

        using (var propfind = await SendAsync(http, new HttpMethod("PROPFIND"), new Uri(node.PublicUrl, "dav/"), asAlice, Xml(
            """<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:"><allprop/></propfind>"""), ("Depth", "1")))
        {
            Assert.Equal((HttpStatusCode)207, propfind.StatusCode);
            Assert.Contains("/dav/missive.html", await propfind.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        // Until the jidlist names bob he may not read; once it does, he confirms by message (bare JID) and reads.
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, HttpMethod.Get, missive, asBob)).StatusCode);
        using (var patch = await SendAsync(http, new HttpMethod("PROPPATCH"), missive, asAlice, Xml(JidList($"bob@{domain}"))))
        {
            Assert.Equal((HttpStatusCode)207, patch.StatusCode);
            Assert.Contains("200 OK", await patch.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        using (var get = await SendAsync(http, HttpMethod.Get, missive, asBob))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(content, await get.Content.ReadAsByteArrayAsync(Cancellation));
        }

        // The tree, the jidlist and the answers are PostgreSQL's, the transaction ids only as hashes.
        Assert.Equal($"alice@{domain}", await ScalarAsync(database, "SELECT owner FROM dav_resources WHERE path = '/missive.html'"));
        Assert.Equal($"bob@{domain}", await ScalarAsync(database, "SELECT jid FROM dav_jidlist WHERE path = '/missive.html'"));
        Assert.Equal(2L, await ScalarAsync(database, "SELECT count(*) FROM dav_confirmations WHERE confirmed"));
        Assert.Equal(0L, await ScalarAsync(database,
            "SELECT count(*) FROM dav_confirmations WHERE position('alice-txn'::bytea in transaction_hash) > 0 OR position('bob-txn'::bytea in transaction_hash) > 0"));

        // Alice made four requests with one transaction id and was asked once (by IQ: she logged in with her full JID).
        var aliceAsked = Assert.Single(await alice.StopAsync(Cancellation));
        Assert.Equal("iq", aliceAsked.GetProperty("via").GetString());
        Assert.Equal("PUT", aliceAsked.GetProperty("method").GetString());
        var bobAsked = Assert.Single(await bob.StopAsync(Cancellation));
        Assert.Equal("message", bobAsked.GetProperty("via").GetString());
    }

    [Fact(Timeout = 240_000)]
    public async Task TwoNodesOnOnePostgreSql_ServeEachOthersFiles_NoncesAndAnswers()
    {
        await using var postgres = await PostgresServer.StartAsync(Cancellation);
        var database = postgres.ConnectionString(await postgres.CreateDatabaseAsync(Cancellation));
        await SeedSigningKeyAsync(database);
        await using var s3 = await S3rverServer.StartAsync(cancellationToken: Cancellation);
        await using var prosody = await ProsodyServer.StartAsync(new ProsodyOptions { Users = Users }, Cancellation);
        var shared = new Dictionary<string, string>
        {
            ["Ledger:Provider"] = "Postgres",
            ["ConnectionStrings:Ledger"] = database,
            ["BlobStore:Provider"] = "S3",
            ["BlobStore:S3:ServiceUrl"] = s3.ServiceUrl,
            ["BlobStore:S3:Bucket"] = s3.Bucket,
            ["BlobStore:S3:AccessKey"] = S3rverServer.AccessKey,
            ["BlobStore:S3:SecretKey"] = S3rverServer.SecretKey,
            ["WebDav:ConfirmTimeout"] = "00:00:20",
        };

        // Node A holds the component link. Node B's component cannot connect (nothing listens where it points), so B
        // can ask nobody anything: whatever B lets through, it learnt from the database.
        await using var nodeA = await NodeProcess.StartAsync(
            new Dictionary<string, string>(shared.Concat(LinkedTo(prosody))) { ["Ledger:NodeId"] = "node-a" },
            cancellationToken: Cancellation);
        await using var nodeB = await NodeProcess.StartAsync(
            new Dictionary<string, string>(shared)
            {
                ["Ledger:NodeId"] = "node-b",
                ["Xmpp:Server"] = $"127.0.0.1:{FreeTcpPort.Get().ToString(CultureInfo.InvariantCulture)}",
                ["Xmpp:Domain"] = prosody.ComponentDomain,
                ["Xmpp:Secret"] = "a-component-that-cannot-connect",
            },
            waitForComponent: false,
            cancellationToken: Cancellation);
        var domain = prosody.Domain;
        await using var alice = await ConfirmingClient.StartAsync(prosody, "alice", Users["alice"], ["alice-txn-0001"], cancellationToken: Cancellation);
        await using var carol = await ConfirmingClient.StartAsync(prosody, "carol", Users["carol"], [], denyOthers: true, resource: "laptop", cancellationToken: Cancellation);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var content = Encoding.UTF8.GetBytes("Two households, both alike in dignity");
        var asAlice = Basic(alice.FullJid, "alice-txn-0001");
        var asCarol = Basic(carol.FullJid, "carol-txn-0001");
        Uri On(NodeProcess node, string path) => new(node.PublicUrl, "dav/" + path);

        // A PUT through node A, confirmed by alice's client; a GET of it through node B, with no prompt.
        using (var put = await SendAsync(http, HttpMethod.Put, On(nodeA, "prologue.txt"), asAlice, new ByteArrayContent(content), ("If-None-Match", "*")))
        {
            Assert.True(put.StatusCode == HttpStatusCode.Created, $"{put.StatusCode}\n{nodeA.Process.Output}");
        }

        using (var get = await SendAsync(http, HttpMethod.Get, On(nodeB, "prologue.txt"), asAlice))
        {
            Assert.True(get.StatusCode == HttpStatusCode.OK, $"{get.StatusCode}\n{nodeB.Process.Output}");
            Assert.Equal(content, await get.Content.ReadAsByteArrayAsync(Cancellation));
        }

        using (var propfind = await SendAsync(http, new HttpMethod("PROPFIND"), On(nodeB, string.Empty), asAlice, Xml(
            """<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:"><prop><getcontentlength/></prop></propfind>"""), ("Depth", "1")))
        {
            Assert.Equal((HttpStatusCode)207, propfind.StatusCode);
            var body = await propfind.Content.ReadAsStringAsync(Cancellation);
            Assert.Contains("/dav/prologue.txt", body, StringComparison.Ordinal);
            Assert.Contains($">{content.Length.ToString(CultureInfo.InvariantCulture)}<", body, StringComparison.Ordinal);
        }

        // A jidlist set through B is what A enforces; carol's denial given through A is what B answers.
        using (var patch = await SendAsync(http, new HttpMethod("PROPPATCH"), On(nodeB, "prologue.txt"), asAlice, Xml(JidList(carol.FullJid))))
        {
            Assert.Equal((HttpStatusCode)207, patch.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, HttpMethod.Get, On(nodeA, "prologue.txt"), asCarol)).StatusCode);
        using (var denied = await SendAsync(http, HttpMethod.Get, On(nodeB, "prologue.txt"), asCarol))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Contains("denied by", await denied.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        // Digest (XEP-0070 section 4.3.2): a nonce from node A is good on node B, and its count, once used there, is a
        // replay on node A.
        var challenge = await ChallengeAsync(http, On(nodeA, "prologue.txt"));
        var digest = Digest(alice.FullJid, "alice-txn-0001", challenge, "GET", "/dav/prologue.txt", "00000001");
        using (var get = await SendAsync(http, HttpMethod.Get, On(nodeB, "prologue.txt"), digest))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        }

        using (var replay = await SendAsync(http, HttpMethod.Get, On(nodeA, "prologue.txt"), digest))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
            Assert.Contains("nonce count was already used", await replay.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        // Everyone was asked once, through node A, whichever node served the request.
        var aliceAsked = Assert.Single(await alice.StopAsync(Cancellation));
        Assert.StartsWith(nodeA.PublicUrl.AbsoluteUri, aliceAsked.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Equal("denied", Assert.Single(await carol.StopAsync(Cancellation)).GetProperty("answer").GetString());
    }

    /// <summary>
    /// Migrates the database and stores a PUT-token key as the ledger would. Schema version 2 made
    /// <c>signing_keys.activates_at</c> NOT NULL before the ledger writes it, so a node cannot yet create the first key
    /// of a fresh PostgreSQL ledger itself; with a key in place it starts as on any later start.
    /// </summary>
    private static async Task SeedSigningKeyAsync(string connectionString)
    {
        await using (var ledger = new PostgresLedger(
            Options.Create(new PostgresLedgerOptions { ConnectionString = connectionString, NodeId = "seed" }),
            TimeProvider.System,
            NullLogger<PostgresLedger>.Instance))
        {
            await ledger.MigrateAsync(Cancellation);
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Cancellation);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO signing_keys (id, secret, created_at, activates_at) VALUES ('seedkey2', @secret, @now, @now)", connection);
        insert.Parameters.AddWithValue("secret", RandomNumberGenerator.GetBytes(SigningKey.SecretLength));
        insert.Parameters.AddWithValue("now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await insert.ExecuteNonQueryAsync(Cancellation);
    }

    private static Dictionary<string, string> LinkedTo(ProsodyServer prosody) => new()
    {
        ["Xmpp:Server"] = $"127.0.0.1:{prosody.ComponentPort.ToString(CultureInfo.InvariantCulture)}",
        ["Xmpp:Domain"] = prosody.ComponentDomain,
        ["Xmpp:Secret"] = prosody.ComponentSecret,
    };

    private static string JidList(string jid) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <propertyupdate xmlns="DAV:"><set><prop>
          <jidlist xmlns="{Xep0129}"><jid>{jid}</jid></jidlist>
        </prop></set></propertyupdate>
        """;

    private static AuthenticationHeaderValue Basic(string jid, string transactionId) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{jid}:{transactionId}")));

    /// <summary>The RFC 7616 answer for MD5 and qop=auth, the cnonce being the transaction id (XEP-0070 section 4.1).</summary>
    private static AuthenticationHeaderValue Digest(string jid, string transactionId, (string Nonce, string Opaque) challenge, string method, string uri, string nc)
    {
        var ha1 = Md5($"{jid}:xmpp:{transactionId}");
        var ha2 = Md5($"{method}:{uri}");
        var response = Md5($"{ha1}:{challenge.Nonce}:{nc}:{transactionId}:auth:{ha2}");
        return new AuthenticationHeaderValue("Digest",
            $"username=\"{jid}\", realm=\"xmpp\", nonce=\"{challenge.Nonce}\", uri=\"{uri}\", qop=auth, nc={nc}, " +
            $"cnonce=\"{transactionId}\", response=\"{response}\", opaque=\"{challenge.Opaque}\", algorithm=MD5");
    }

    private static async Task<(string Nonce, string Opaque)> ChallengeAsync(HttpClient http, Uri url)
    {
        using var response = await http.GetAsync(url, Cancellation);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var digest = response.Headers.WwwAuthenticate.Single(h => h.Scheme == "Digest").Parameter!;
        var match = DigestChallenge().Match(digest);
        Assert.True(match.Success, digest);
        return (match.Groups["nonce"].Value, match.Groups["opaque"].Value);
    }

    private static string Md5(string value)
    {
#pragma warning disable CA5351 // RFC 7616 Digest with algorithm=MD5 is what the node offers and what is under test.
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(value)));
#pragma warning restore CA5351
    }

    private static StringContent Xml(string xml) => new(xml, Encoding.UTF8, "application/xml");

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(Cancellation);
    }

    private static async Task<HttpResponseMessage> SendAsync(
        HttpClient http, HttpMethod method, Uri url, AuthenticationHeaderValue authorization, HttpContent? content = null, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Authorization = authorization;
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await http.SendAsync(request, Cancellation);
    }

    [GeneratedRegex("""nonce="(?<nonce>[A-Za-z0-9_-]+)", opaque="(?<opaque>[0-9a-f]+)"$""")]
    private static partial Regex DigestChallenge();
}
