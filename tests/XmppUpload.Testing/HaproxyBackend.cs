namespace XmppUpload.Testing;

/// <summary>One server line of the balancer: a name for the statistics and the loopback port it listens on.</summary>
public sealed record HaproxyBackend(string Name, int Port);
