namespace XmppUpload.Testing;

/// <summary>Paths inside the repository checkout, found by walking up from the test binaries to Cluster.sln.</summary>
public static class RepositoryLayout
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The directory that holds Cluster.sln.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>infra/: XMPP server configs and templates.</summary>
    public static string Infra => Path.Combine(Root, "infra");

    /// <summary>tests/XmppUpload.Interop.Tests/clients/: the python and shell clients.</summary>
    public static string Clients => Path.Combine(Root, "tests", "XmppUpload.Interop.Tests", "clients");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Cluster.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No Cluster.sln above {AppContext.BaseDirectory}; run the tests from a checkout of the repository.");
    }
}
