namespace XmppUpload.Testing;

/// <summary>Starts either kind of <see cref="IXmppTestServer"/> by name, for tests that run against both.</summary>
public static class XmppTestServers
{
    public const string Prosody = "prosody";
    public const string Ejabberd = "ejabberd";

    /// <summary>Every kind, e.g. for a theory's data.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [Prosody, Ejabberd];

    /// <summary>Starts a server of <paramref name="kind"/> with the given accounts and (optionally shared) certificates.</summary>
    public static async Task<IXmppTestServer> StartAsync(
        string kind,
        IReadOnlyDictionary<string, string> users,
        TestCertificates? certificates = null,
        CancellationToken cancellationToken = default) => kind switch
        {
            Prosody => await ProsodyServer.StartAsync(new ProsodyOptions { Users = users, Certificates = certificates }, cancellationToken),
            Ejabberd => await EjabberdServer.StartAsync(new EjabberdOptions { Users = users, Certificates = certificates }, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, $"Expected \"{Prosody}\" or \"{Ejabberd}\"."),
        };
}
