using Microsoft.Extensions.Options;
using XmppUpload.Core.Configuration;

namespace XmppUpload.Node.Configuration;

/// <summary>Refuses a <c>Cluster</c> section whose intervals would make takeover slow or the checks a burden, naming the key.</summary>
internal sealed class ClusterOptionsValidator : IValidateOptions<ClusterOptions>
{
    private static readonly TimeSpan Shortest = TimeSpan.FromMilliseconds(100);

    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.LeaseRetryInterval < Shortest || options.LeaseRetryInterval > TimeSpan.FromMinutes(1))
        {
            return ValidateOptionsResult.Fail(
                $"Cluster:LeaseRetryInterval '{options.LeaseRetryInterval}' must be between 00:00:00.1 and 00:01:00: how often a node on standby tries to take the component link (default 00:00:02; takeover after a crash takes about this long).");
        }

        if (options.ConnectionCheckInterval < Shortest || options.ConnectionCheckInterval > TimeSpan.FromSeconds(30))
        {
            return ValidateOptionsResult.Fail(
                $"Cluster:ConnectionCheckInterval '{options.ConnectionCheckInterval}' must be between 00:00:00.1 and 00:00:30: how often the lease's and the bus's PostgreSQL sessions are checked (default 00:00:01).");
        }

        if (options.RelayTimeout < Shortest || options.RelayTimeout > TimeSpan.FromMinutes(1))
        {
            return ValidateOptionsResult.Fail(
                $"Cluster:RelayTimeout '{options.RelayTimeout}' must be between 00:00:00.1 and 00:01:00: how long a node without the link waits for the link holder to take up an XEP-0070 confirmation (default 00:00:02).");
        }

        return ValidateOptionsResult.Success;
    }
}
