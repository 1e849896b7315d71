using System.Net.Http.Headers;
using XmppUpload.Storage.AzureBlob;

namespace XmppUpload.Storage.Tests.AzureBlob;

public sealed class SharedKeyCredentialTests
{
    private const string Date = "Sun, 22 Nov 2026 12:00:00 GMT";
    private const string ClientRequestId = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

    private static readonly SharedKeyCredential Credential = new(
        AzureStorageConnectionString.DevelopmentAccountName,
        Convert.FromBase64String(AzureStorageConnectionString.DevelopmentAccountKey));

    [Fact]
    public void PutBlock_StringToSign_FollowsTheDocumentedLayout()
    {
        using var request = Dated(new HttpRequestMessage(
            HttpMethod.Put,
            "http://127.0.0.1:10000/devstoreaccount1/uploads/abc?comp=block&blockid=YWJj%2BZA%3D%3D")
        {
            Content = new ByteArrayContent("hello"u8.ToArray()),
        });

        // Verb, the eleven standard headers (only Content-Length set), the x-ms- headers sorted, then the resource:
        // path-style, so the account twice; query names sorted, values decoded.
        Assert.Equal(
            "PUT\n\n\n5\n\n\n\n\n\n\n\n\n"
            + $"x-ms-client-request-id:{ClientRequestId}\nx-ms-date:{Date}\nx-ms-version:2021-12-02\n"
            + "/devstoreaccount1/devstoreaccount1/uploads/abc\nblockid:YWJj+ZA==\ncomp:block",
            Credential.StringToSign(request));
    }

    [Fact]
    public void PutBlock_Signature_MatchesAnHmacComputedIndependently()
    {
        using var request = Dated(new HttpRequestMessage(
            HttpMethod.Put,
            "http://127.0.0.1:10000/devstoreaccount1/uploads/abc?comp=block&blockid=YWJj%2BZA%3D%3D")
        {
            Content = new ByteArrayContent("hello"u8.ToArray()),
        });

        Credential.Sign(request);

        // printf '<the StringToSign above>' | openssl dgst -sha256 -mac HMAC -macopt hexkey:<the key, hex> -binary | base64
        Assert.Equal("SharedKey", request.Headers.Authorization!.Scheme);
        Assert.Equal("devstoreaccount1:jrDO22OLPbrwn2R63WKuz6N7pRj86nbo8HSI//nXo4c=", request.Headers.Authorization.Parameter);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    public void Put_WithoutABody_SignsAnEmptyContentLength(int? length)
    {
        using var request = Dated(new HttpRequestMessage(HttpMethod.Put, "https://acct.blob.core.windows.net/uploads?restype=container")
        {
            Content = length is null ? null : new ByteArrayContent([]),
        });

        Assert.StartsWith("PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-", Credential.StringToSign(request), StringComparison.Ordinal);
        Assert.EndsWith("\n/devstoreaccount1/uploads\nrestype:container", Credential.StringToSign(request), StringComparison.Ordinal);
    }

    [Fact]
    public void PutBlockList_SignsContentTypeAndLength()
    {
        var body = "<BlockList></BlockList>"u8.ToArray();
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        using var request = Dated(new HttpRequestMessage(HttpMethod.Put, "https://acct.blob.core.windows.net/uploads/abc?comp=blocklist") { Content = content });

        Assert.StartsWith($"PUT\n\n\n{body.Length}\n\napplication/xml\n\n", Credential.StringToSign(request), StringComparison.Ordinal);
    }

    [Fact]
    public void GetBlob_WithARange_SignsTheRangeAmongTheStorageHeaders()
    {
        using var request = Dated(new HttpRequestMessage(HttpMethod.Get, "https://acct.blob.core.windows.net/uploads/abc"));
        request.Headers.TryAddWithoutValidation("x-ms-range", "bytes=3-6");

        Assert.Equal(
            "GET\n\n\n\n\n\n\n\n\n\n\n\n"
            + $"x-ms-client-request-id:{ClientRequestId}\nx-ms-date:{Date}\nx-ms-range:bytes=3-6\nx-ms-version:2021-12-02\n"
            + "/devstoreaccount1/uploads/abc",
            Credential.StringToSign(request));
    }

    [Fact]
    public void ListBlobs_QueryParameters_AreLowerCasedSortedAndDecoded()
    {
        using var request = Dated(new HttpRequestMessage(
            HttpMethod.Get,
            "https://acct.blob.core.windows.net/uploads?restype=container&comp=list&MaxResults=2&marker=2%215%21MDAwMDA2%21YWJj"));

        Assert.EndsWith(
            "\n/devstoreaccount1/uploads\ncomp:list\nmarker:2!5!MDAwMDA2!YWJj\nmaxresults:2\nrestype:container",
            Credential.StringToSign(request),
            StringComparison.Ordinal);
    }

    [Fact]
    public void StorageHeaders_AreLowerCasedAndTheirWhitespaceFolded()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "https://acct.blob.core.windows.net/uploads/abc");
        request.Headers.TryAddWithoutValidation("X-MS-Meta-Note", "  two   words ");
        request.Headers.TryAddWithoutValidation("x-ms-date", Date);

        Assert.Contains($"\nx-ms-date:{Date}\nx-ms-meta-note:two words\n/devstoreaccount1/uploads/abc", Credential.StringToSign(request), StringComparison.Ordinal);
    }

    private static HttpRequestMessage Dated(HttpRequestMessage request)
    {
        // Added in another order than the sorted one, as a client might.
        request.Headers.TryAddWithoutValidation("x-ms-version", "2021-12-02");
        request.Headers.TryAddWithoutValidation("x-ms-date", Date);
        request.Headers.TryAddWithoutValidation("x-ms-client-request-id", ClientRequestId);
        return request;
    }
}
