using Microsoft.Extensions.Options;
using XmppUpload.Http.Dav;

namespace XmppUpload.Node.Configuration;

/// <summary>Refuses a <c>WebDav</c> section that would make the XEP-0129 endpoint unusable or unsafe, naming the key.</summary>
internal sealed class WebDavOptionsValidator : IValidateOptions<WebDavOptions>
{
    public ValidateOptionsResult Validate(string? name, WebDavOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        if (string.IsNullOrWhiteSpace(options.Path) || !options.Path.StartsWith('/') || options.Path.Trim('/').Length == 0
            || options.Path.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '?' or '#' or '%' or '\\'))
        {
            return ValidateOptionsResult.Fail($"WebDav:Path '{options.Path}' must be a plain absolute path below the root, such as /dav/.");
        }

        if (options.ConfirmTimeout <= TimeSpan.Zero || options.ConfirmTimeout > TimeSpan.FromMinutes(10))
        {
            return ValidateOptionsResult.Fail("WebDav:ConfirmTimeout must be between 00:00:01 and 00:10:00 (for example 00:01:00).");
        }

        if (options.CredentialLifetime < TimeSpan.Zero || options.CredentialLifetime > TimeSpan.FromDays(1))
        {
            return ValidateOptionsResult.Fail("WebDav:CredentialLifetime must be between 00:00:00 and 1.00:00:00 (for example 00:10:00).");
        }

        if (options.PromptsPerWindow <= 0 || options.PromptWindow <= TimeSpan.Zero)
        {
            return ValidateOptionsResult.Fail("WebDav:PromptsPerWindow and WebDav:PromptWindow must be positive (for example 10 and 00:01:00).");
        }

        if (options.Quota <= 0 || options.MaxFileSize <= 0)
        {
            return ValidateOptionsResult.Fail("WebDav:Quota and WebDav:MaxFileSize must be positive numbers of bytes.");
        }

        return ValidateOptionsResult.Success;
    }
}
