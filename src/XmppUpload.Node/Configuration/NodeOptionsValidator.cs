using Microsoft.Extensions.Options;

namespace XmppUpload.Node.Configuration;

/// <summary>Refuses a <c>Node</c> section the node cannot stop by, naming the key.</summary>
internal sealed class NodeOptionsValidator : IValidateOptions<NodeOptions>
{
    public ValidateOptionsResult Validate(string? name, NodeOptions options) =>
        options.DrainTimeout < TimeSpan.Zero || options.DrainTimeout > TimeSpan.FromHours(1)
            ? ValidateOptionsResult.Fail("Node:DrainTimeout must be between 00:00:00 and 01:00:00 (for example 00:00:30).")
            : ValidateOptionsResult.Success;
}
