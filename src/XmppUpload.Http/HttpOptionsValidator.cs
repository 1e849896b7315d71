using Microsoft.Extensions.Options;
using XmppUpload.Http.Upload;

namespace XmppUpload.Http;

/// <summary>Fails the start with one line per problem, each naming the key and what to set.</summary>
internal sealed class HttpOptionsValidator : IValidateOptions<HttpOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (!PublicBase.TryParse(options.PublicUrl, out _, out var urlError))
        {
            failures.Add(urlError);
        }

        if (!CorsPolicy.TryParseOrigins(options.CorsAllowedOrigins, out _, out var corsError))
        {
            failures.Add(corsError);
        }

        if (options.StoredSlotCacheDuration < TimeSpan.Zero || options.StoredSlotCacheDuration > TimeSpan.FromMinutes(1))
        {
            failures.Add($"Http:StoredSlotCacheDuration is {options.StoredSlotCacheDuration}; set it between 00:00:00 (no cache) and 00:01:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
