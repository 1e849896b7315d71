namespace XmppUpload.Cluster.Tests;

/// <summary>What a node's Digest challenge gives the client to answer with (RFC 7616 section 3.3).</summary>
internal sealed record DigestChallenge(string Nonce, string Opaque);
