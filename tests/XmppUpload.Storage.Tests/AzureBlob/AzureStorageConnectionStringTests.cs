using XmppUpload.Storage.AzureBlob;

namespace XmppUpload.Storage.Tests.AzureBlob;

public sealed class AzureStorageConnectionStringTests
{
    private const string Key = "c2VjcmV0IGtleSBieXRlcyBmb3IgdGVzdHM=";

    [Fact]
    public void Parse_AzurePortalFormat_BuildsTheBlobEndpointFromAccountAndSuffix()
    {
        var parsed = AzureStorageConnectionString.Parse(
            $"DefaultEndpointsProtocol=https;AccountName=myaccount;AccountKey={Key};EndpointSuffix=core.windows.net");

        Assert.Equal("myaccount", parsed.AccountName);
        Assert.Equal(new Uri("https://myaccount.blob.core.windows.net"), parsed.BlobEndpoint);
        Assert.Equal(Convert.FromBase64String(Key), parsed.AccountKey);
    }

    [Fact]
    public void Parse_WithoutProtocolOrSuffix_DefaultsToHttpsAndThePublicCloud()
    {
        var parsed = AzureStorageConnectionString.Parse($"AccountName=myaccount;AccountKey={Key}");

        Assert.Equal(new Uri("https://myaccount.blob.core.windows.net"), parsed.BlobEndpoint);
    }

    [Fact]
    public void Parse_OtherCloudAndHttp_UsesThem()
    {
        var parsed = AzureStorageConnectionString.Parse(
            $"DefaultEndpointsProtocol=http;AccountName=myaccount;AccountKey={Key};EndpointSuffix=core.chinacloudapi.cn");

        Assert.Equal(new Uri("http://myaccount.blob.core.chinacloudapi.cn"), parsed.BlobEndpoint);
    }

    [Fact]
    public void Parse_ExplicitBlobEndpoint_WinsAndKeepsItsPathWithoutTheTrailingSlash()
    {
        var parsed = AzureStorageConnectionString.Parse(
            $"DefaultEndpointsProtocol=https;AccountName=devstoreaccount1;AccountKey={Key};BlobEndpoint=http://127.0.0.1:41234/devstoreaccount1/;"
            + "QueueEndpoint=http://127.0.0.1:41235/devstoreaccount1;");

        Assert.Equal("http://127.0.0.1:41234/devstoreaccount1", parsed.BlobEndpoint.ToString());
    }

    [Fact]
    public void Parse_NamesInAnyCaseSpacesAndEmptyParts_AreTolerated()
    {
        var parsed = AzureStorageConnectionString.Parse($" accountname = myaccount ;;ACCOUNTKEY={Key} ; ");

        Assert.Equal("myaccount", parsed.AccountName);
        Assert.Equal(Convert.FromBase64String(Key), parsed.AccountKey);
    }

    [Fact]
    public void Parse_UseDevelopmentStorage_IsAzuritesWellKnownAccount()
    {
        var parsed = AzureStorageConnectionString.Parse("UseDevelopmentStorage=true");

        Assert.Equal("devstoreaccount1", parsed.AccountName);
        Assert.Equal(
            Convert.FromBase64String("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="),
            parsed.AccountKey);
        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1", parsed.BlobEndpoint.ToString());
    }

    [Theory]
    [InlineData("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://azurite", "http://azurite:10000/devstoreaccount1")]
    [InlineData("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://127.0.0.1:40123", "http://127.0.0.1:40123/devstoreaccount1")]
    [InlineData("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://127.0.0.1:80/", "http://127.0.0.1/devstoreaccount1")]
    [InlineData("UseDevelopmentStorage=True;BlobEndpoint=http://127.0.0.1:40124/devstoreaccount1", "http://127.0.0.1:40124/devstoreaccount1")]
    public void Parse_UseDevelopmentStorage_CanPointAtAnotherHostOrPort(string connectionString, string endpoint)
    {
        var parsed = AzureStorageConnectionString.Parse(connectionString);

        Assert.Equal(endpoint, parsed.BlobEndpoint.ToString());
        Assert.Equal("devstoreaccount1", parsed.AccountName);
    }

    [Theory]
    [InlineData(null, "the connection string is empty")]
    [InlineData("  ", "the connection string is empty")]
    [InlineData(";;", "the connection string has no Name=value pairs")]
    [InlineData("AccountName=myaccount;AccountKey;" + Key, "part 2 is not Name=value")]
    [InlineData("=value;AccountName=a", "part 1 is not Name=value")]
    [InlineData("AccountName=a;accountname=b;AccountKey=" + Key, "accountname is given more than once")]
    [InlineData("AccountKey=" + Key, "AccountName is missing")]
    [InlineData("AccountName=myaccount", "AccountKey is missing")]
    [InlineData("AccountName=myaccount;AccountKey=", "AccountKey is missing")]
    [InlineData("AccountName=myaccount;AccountKey=not*base64", "AccountKey is not valid base64")]
    [InlineData("AccountName=my/account;AccountKey=" + Key, "AccountName may hold only letters, digits and '-'")]
    [InlineData("AccountName=myaccount;AccountKey=" + Key + ";DefaultEndpointsProtocol=ftp", "DefaultEndpointsProtocol must be https or http")]
    [InlineData("AccountName=myaccount;AccountKey=" + Key + ";BlobEndpoint=not a url", "BlobEndpoint is not an absolute http or https URL")]
    [InlineData("AccountName=myaccount;AccountKey=" + Key + ";BlobEndpoint=https://h/?sv=1", "BlobEndpoint is not an absolute http or https URL")]
    [InlineData("BlobEndpoint=https://myaccount.blob.core.windows.net;SharedAccessSignature=sv=2021&sig=abc", "SharedAccessSignature is not supported")]
    [InlineData("UseDevelopmentStorage=false", "UseDevelopmentStorage must be 'true'")]
    [InlineData("UseDevelopmentStorage=yes", "UseDevelopmentStorage must be 'true'")]
    [InlineData("UseDevelopmentStorage=true;AccountName=myaccount", "UseDevelopmentStorage=true uses the emulator's account")]
    [InlineData("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=azurite:10000", "DevelopmentStorageProxyUri is not an absolute http or https URL")]
    public void Parse_Malformed_ThrowsAOneLineFormatExceptionSayingWhat(string? connectionString, string expected)
    {
        var exception = Assert.Throws<FormatException>(() => AzureStorageConnectionString.Parse(connectionString));

        Assert.StartsWith(expected, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', exception.Message);
        Assert.False(AzureStorageConnectionString.TryParse(connectionString, out _, out var error));
        Assert.Equal(exception.Message, error);
    }

    [Theory]
    [InlineData("AccountName=myaccount;" + Key)]
    [InlineData("AccountName=myaccount;AccountKey=" + Key + "*")]
    [InlineData("AccountName=myaccount;AccountKey=" + Key + ";AccountKey=" + Key)]
    public void Parse_Malformed_NeverQuotesTheKey(string connectionString)
    {
        var exception = Assert.Throws<FormatException>(() => AzureStorageConnectionString.Parse(connectionString));

        Assert.DoesNotContain(Key, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_LeavesTheKeyOut()
    {
        var parsed = AzureStorageConnectionString.Parse($"AccountName=myaccount;AccountKey={Key}");

        Assert.Equal("AccountName=myaccount;BlobEndpoint=https://myaccount.blob.core.windows.net/", parsed.ToString());
    }
}
