using Microsoft.Extensions.Options;

namespace XmppUpload.Xmpp.HttpAuth;

/// <summary>Checks <see cref="XmppHttpAuthOptions"/> at start.</summary>
internal sealed class XmppHttpAuthOptionsValidator : IValidateOptions<XmppHttpAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, XmppHttpAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.MaxPendingConfirmations < 1
            ? ValidateOptionsResult.Fail(
                $"XmppHttpAuthOptions.MaxPendingConfirmations '{options.MaxPendingConfirmations}' must be at least 1: set it to how many XEP-0070 confirmations may wait at once (default {XmppHttpAuthOptions.DefaultMaxPendingConfirmations})")
            : ValidateOptionsResult.Success;
    }
}
