using Microsoft.Extensions.Options;
using XmppUpload.Core.Configuration;
using XmppUpload.Http;
using XmppUpload.Storage;
using XmppUpload.Storage.Postgres;
using XmppUpload.Xmpp.Configuration;

namespace XmppUpload.Node.Configuration;

/// <summary>
/// Reads every validated options section once, before the host starts, so that a bad configuration ends the process
/// with one line per problem (naming the key and what to set) instead of a logged stack trace.
/// </summary>
internal static class StartupValidation
{
    public static IReadOnlyList<string> Check(IServiceProvider services)
    {
        var failures = new List<string>();
        Read<XmppOptions>(services, failures);
        Read<HttpOptions>(services, failures);
        Read<StorageOptions>(services, failures);
        Read<UploadOptions>(services, failures);
        Read<TokensOptions>(services, failures);
        Read<Http.Dav.WebDavOptions>(services, failures);
        Read<ClusterOptions>(services, failures);
        return failures;
    }

    /// <summary>The sections the operator verbs need: no XMPP link and no HTTP listener.</summary>
    public static IReadOnlyList<string> CheckStorage(IServiceProvider services)
    {
        var failures = new List<string>();
        Read<StorageOptions>(services, failures);
        Read<PostgresLedgerOptions>(services, failures);
        Read<UploadOptions>(services, failures);
        Read<TokensOptions>(services, failures);
        return failures;
    }

    private static void Read<TOptions>(IServiceProvider services, List<string> failures)
        where TOptions : class
    {
        try
        {
            _ = services.GetRequiredService<IOptions<TOptions>>().Value;
        }
        catch (OptionsValidationException exception)
        {
            failures.AddRange(exception.Failures);
        }
        catch (InvalidOperationException exception)
        {
            // Binding failures (a value that does not convert, such as "ten" for a number) name the key in the message.
            failures.Add(exception.Message);
        }
    }
}
