using System.Globalization;

namespace XmppUpload.Testing;

/// <summary>
/// The snippets operators add to their XMPP server (infra/prosody/xmppupload.cfg.lua, infra/ejabberd/xmppupload.yml),
/// filled in for a test server exactly as the README tells an operator to, so the tests run the documented config.
/// </summary>
internal static class OperatorSnippet
{
    private const string ExampleComponent = "upload.example.org";
    private const string ExampleSecret = "change-me-to-a-long-random-secret";
    private const string ExamplePort = "5347";

    public static string Render(string server, string fileName, string componentDomain, string secret, int port)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryLayout.Infra, server, fileName));
        foreach (var example in new[] { ExampleComponent, ExampleSecret, ExamplePort })
        {
            if (!text.Contains(example, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"infra/{server}/{fileName} no longer contains '{example}'; update {nameof(OperatorSnippet)}.");
            }
        }

        return text
            .Replace(ExampleComponent, componentDomain, StringComparison.Ordinal)
            .Replace(ExampleSecret, secret, StringComparison.Ordinal)
            .Replace(ExamplePort, port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }
}
