namespace XmppUpload.Node.Configuration;

/// <summary>The <c>Node</c> section: how this node stops.</summary>
internal sealed class NodeOptions
{
    public const string SectionName = "Node";

    /// <summary>
    /// On SIGTERM, how long uploads and WebDAV writes in flight may take to finish before the node stops anyway; new
    /// ones are refused with 503 from the first moment.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
